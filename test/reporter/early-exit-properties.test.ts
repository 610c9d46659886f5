/**
 * A process that shuts down within a second of starting still reports its instance properties
 * (the heartbeat's first beat waits 1 s, or for the OTel resource): real child processes, real gRPC
 * to the embedded collector.
 */
import { join } from 'node:path';
import { type Collector, startCollector } from '../../src/collector';
import { runProcess } from '../support/spawn';

const DIST = join(__dirname, '..', '..', 'dist', 'entry');
let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector.stop();
});

async function run(script: string, service: string): Promise<void> {
  const r = await runProcess(process.execPath, ['-e', script], {
    DIST,
    SW_AGENT_NAME: service,
    SW_AGENT_INSTANCE_NAME: `${service}-1`,
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
  });
  expect(r).toMatchObject({ code: 0, stdout: 'done\n', stderr: '' });
}

function expectProperties(service: string, pid: number | undefined = undefined): void {
  const record = collector.instances().find((i) => i.service === service);
  expect(record).toBeDefined();
  expect(record!.instance).toBe(`${service}-1`);
  expect(record!.properties).toMatchObject({ language: ['NodeJS'], 'OS Name': [process.platform], team: ['payments'] });
  expect(record!.properties['Process No.']).toHaveLength(1);
  if (pid !== undefined) expect(record!.properties['Process No.']).toEqual([String(pid)]);
}

it('an OpenTracing process that closes at once (before the first heartbeat) reports its properties', async () => {
  await run(
    `const { SkyWalkingTracer } = require(process.env.DIST);
     const tracer = new SkyWalkingTracer({ instanceProperties: { team: 'payments' } });
     tracer.startSpan('job').finish();
     tracer.shutdown().then(() => console.log('done'));`,
    'early-ot',
  );
  // shutdown resolved after the properties arrived: no waiting here
  expectProperties('early-ot');
  expect(collector.segments().filter((s) => s.service === 'early-ot')).toHaveLength(1);
});

it('an OpenTelemetry process that shuts down right after its first span reports its properties', async () => {
  await run(
    `const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
     const { SkyWalkingSpanProcessor } = require(process.env.DIST);
     const processor = new SkyWalkingSpanProcessor({ instanceProperties: { team: 'payments' } });
     const provider = new BasicTracerProvider({ spanProcessors: [processor] });
     provider.getTracer('t').startSpan('job').end();
     provider.shutdown().then(() => console.log('done'));`,
    'early-otel',
  );
  expectProperties('early-otel');
  expect(collector.segments().filter((s) => s.service === 'early-otel')).toHaveLength(1);
});
