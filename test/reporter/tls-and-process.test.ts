/**
 * TLS with a CA generated at test time (openssl), and process-level behaviour: a script that
 * reports and never calls shutdown still exits, and our own gRPC calls are not traced by an OTel
 * gRPC instrumentation in the same process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Collector, startCollector } from '../../src/collector';
import { ConfigError, resolveConfig } from '../../src/base/config';
import { resetDiagnostics, setLogger } from '../../src/base/diag';
import { GrpcReporter } from '../../src/reporter/grpc';
import { makeCa, makeSignedCert } from '../support/certs';
import { CHILD_ENV } from '../support/spawn';
import { silentServer } from './fault-servers';

const ROOT = resolve(__dirname, '..', '..');
let dir: string;
let collector: Collector;
let logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swb-tls-'));
  makeCa(dir, { cn: 'test-ca' });
  makeSignedCert(dir, { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
  makeCa(dir, { name: 'other-ca', cn: 'other-ca' });
  collector = await startCollector({
    grpcPort: 0,
    httpPort: false,
    tls: { certChain: readFileSync(join(dir, 'server.pem')), privateKey: readFileSync(join(dir, 'server.key')) },
  });
});

afterAll(async () => {
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  resetDiagnostics();
  logged = [];
  const capture = (m: string) => logged.push(m);
  setLogger({ error: capture, warn: capture, info: capture, debug: capture });
});
afterEach(() => setLogger(undefined));

const segment = {
  toSegmentObject: () => ({
    traceId: 't-tls',
    traceSegmentId: 's-tls',
    service: 'svc',
    serviceInstance: 'i',
    isSizeLimited: false,
    spans: [],
  }),
};

it('delivers over TLS with the CA from SW_AGENT_SSL_TRUSTED_CA_PATH', async () => {
  const r = new GrpcReporter(
    resolveConfig(
      { flushIntervalMs: 50, reportTimeoutMs: 2000 },
      {
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
        SW_AGENT_SSL_TRUSTED_CA_PATH: join(dir, 'ca.pem'),
      },
    ),
  );
  r.report(segment);
  await r.flush();
  await r.shutdown();
  expect(collector.segments().map((s) => s.traceSegmentId)).toEqual(['s-tls']);
  expect(r.stats()).toMatchObject({ sent: 1, lost: 0 });
});

it('refuses a server signed by another CA, and says so once', async () => {
  const r = new GrpcReporter(
    resolveConfig(
      {
        collectorAddress: collector.grpcAddress,
        caPath: join(dir, 'other-ca.pem'),
        flushIntervalMs: 50,
        reportTimeoutMs: 500,
      },
      {},
    ),
  );
  r.report({ toSegmentObject: () => ({ ...segment.toSegmentObject(), traceSegmentId: 's-wrong-ca' }) });
  await new Promise((ok) => setTimeout(ok, 2500));
  await r.shutdown(200);
  expect(collector.segments().map((s) => s.traceSegmentId)).not.toContain('s-wrong-ca');
  expect(
    logged.filter((m) => m.includes(`cannot reach the SkyWalking collector at ${collector.grpcAddress}`)),
  ).toHaveLength(1);
  expect(r.stats()).toMatchObject({ sent: 0, dropped: 1 });
});

it('fails at construction when the CA file cannot be read, naming it', () => {
  expect(() => new GrpcReporter(resolveConfig({ caPath: join(dir, 'missing.pem') }, {}))).toThrow(ConfigError);
  expect(() => new GrpcReporter(resolveConfig({ caPath: join(dir, 'missing.pem') }, {}))).toThrow(
    /caPath \(env SW_AGENT_SSL_TRUSTED_CA_PATH\) ".*missing.pem"/,
  );
});

/**
 * A line for the end of a script: a timer that holds nothing open (unref) and prints what keeps the
 * process alive if it still is `ms` later. Judged by which fires first, it or a timer that would
 * hold the process (grpc-js's 10 s deadline), not by the wall clock: a busy machine delays both
 * alike, and the script's start-up does not count.
 */
function watchdog(ms: number): string {
  return `setTimeout(() => console.log('alive ${ms} ms later: ' + process.getActiveResourcesInfo().join(', ')), ${ms}).unref();`;
}

function runScript(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, code);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [file],
      {
        cwd: ROOT,
        env: { ...process.env, ...CHILD_ENV, NODE_PATH: join(ROOT, 'node_modules'), ...env },
        // a deadline for a hang, under the test's (a script took over 20 s on two busy cores)
        timeout: 100_000,
      },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

it('does not keep the process alive: a script that never calls shutdown exits by itself', async () => {
  const r = await runScript(
    `const { SkyWalkingTracer } = require(${JSON.stringify(ROOT)});
const tracer = new SkyWalkingTracer({ serviceName: 'no-shutdown', collectorAddress: '127.0.0.1:1' });
tracer.startSpan('op').finish();
console.log('done');
${watchdog(9000)}`,
  );
  expect(r.code).toBe(0);
  // nothing held it 9 s past its end (before a 10 s timer would have let it go)
  expect(r.stdout).toBe('done\n');
});

it('does not keep the process alive: a script that never calls shutdown exits while a batch waits for a silent collector', async () => {
  // the first batch waits for the channel to be ready; grpc-js held that wait's deadline (the report
  // timeout, here 60 s) in a timer that kept the process alive past its end
  const silent = await silentServer();
  try {
    const r = await runScript(
      `const { SkyWalkingTracer } = require(${JSON.stringify(ROOT)});
const tracer = new SkyWalkingTracer({ serviceName: 'silent', collectorAddress: '${silent.address}', flushIntervalMs: 50, reportTimeoutMs: 60000 });
tracer.startSpan('op').finish();
setTimeout(() => {
  console.log('done');
  ${watchdog(9000)}
}, 500);`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('done\n');
  } finally {
    await silent.stop();
  }
});

it('does not keep the process alive after shutdown with the collector away (grpc-js would revive the closed channel)', async () => {
  // the first batch waits for the channel when shutdown closes it; grpc-js's waitForReady asked the
  // closed channel to connect again, and its 10 s deadline timer held the process open
  const r = await runScript(
    `const { SkyWalkingTracer } = require(${JSON.stringify(ROOT)});
const tracer = new SkyWalkingTracer({ serviceName: 'away', collectorAddress: '127.0.0.1:1', flushIntervalMs: 50 });
tracer.startSpan('op').finish();
setTimeout(() => {
  tracer.shutdown(0).then(() => {
    process.on('exit', () => console.log('exit after shutdown'));
    ${watchdog(2000)}
  });
}, 300);`,
  );
  expect(r.code).toBe(0);
  // nothing held it 2 s past the shutdown (the closed channel's 10 s deadline timer did)
  expect(r.stdout).toBe('exit after shutdown\n');
});

it("our own gRPC calls are not traced by an OTel gRPC instrumentation (while the app's are)", async () => {
  const r = await runScript(
    `const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const api = require('@opentelemetry/api');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
api.trace.setGlobalTracerProvider(provider);
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
registerInstrumentations({ instrumentations: [new GrpcInstrumentation()], tracerProvider: provider });
const { SkyWalkingTracer, startCollector } = require(${JSON.stringify(ROOT)});
// observe each ManagementService call of this process completing at the client (one setImmediate
// after its callback, so a client span the instrumentation made for it has ended by then)
const { loadServices } = require(${JSON.stringify(join(ROOT, 'dist/protocol/loader'))});
const completed = [];
let onCompleted = () => {};
for (const name of ['reportInstanceProperties', 'keepAlive']) {
  const proto = loadServices().ManagementService.prototype;
  const original = proto[name];
  proto[name] = function (...args) {
    let i = args.length - 1;
    while (i >= 0 && typeof args[i] !== 'function') i--;
    const callback = args[i];
    args[i] = function (...results) {
      try {
        return callback.apply(this, results);
      } finally {
        completed.push(name);
        onCompleted();
      }
    };
    return original.apply(this, args);
  };
}
const whenCompleted = (methods) =>
  new Promise((resolve) => {
    const check = () => methods.every((m) => completed.includes(m)) && setImmediate(resolve);
    onCompleted = check;
    check();
  });
(async () => {
  const collector = await startCollector({ grpcPort: 0, httpPort: false });
  const tracer = new SkyWalkingTracer({ serviceName: 'suppressed', collectorAddress: collector.grpcAddress });
  tracer.bridge.reporter.startHeartbeat();
  tracer.startSpan('op').finish();
  await tracer.flush();
  // our heartbeat calls have completed (one setImmediate later, so any span they made has ended)
  await whenCompleted(['reportInstanceProperties', 'keepAlive']);
  const ourCalls = [...completed].sort();
  // client spans only: the in-process collector's server side is an application server and is traced
  const clientSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === api.SpanKind.CLIENT).map((s) => s.name);
  const ours = clientSpans().length;
  // control: a plain gRPC call made by the application is traced
  const { grpc, ManagementService } = loadServices();
  const client = new ManagementService(collector.grpcAddress, grpc.credentials.createInsecure());
  await new Promise((r) => client.keepAlive({ service: 'app', serviceInstance: 'app-1', layer: '' }, () => r()));
  await new Promise((r) => setImmediate(r));
  const app = clientSpans();
  await tracer.shutdown();
  client.close();
  await collector.stop();
  console.log(JSON.stringify({ ourCalls, ours, app, received: collector.segments().length }));
})();`,
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout.trim())).toEqual({
    ourCalls: ['keepAlive', 'reportInstanceProperties'],
    ours: 0,
    app: ['grpc.skywalking.v3.ManagementService/keepAlive'],
    received: 1,
  });
});
