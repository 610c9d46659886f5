/**
 * `await tracer.shutdown()` settles within the report timeout for every transport, also when the
 * collector refuses connections or never answers, so the application's code after the `await` (its exit code too)
 * runs. Real child processes: a process whose event loop empties while a shutdown is pending exits
 * with code 0 before the `await` returns (issue #28, measured with the Kafka reporter).
 */
import { join } from 'node:path';
import { runProcess } from '../support/spawn';
import { type FaultServer, refusedServer, silentServer } from './fault-servers';

const DIST = join(__dirname, '..', '..', 'dist', 'entry');

const SCRIPT = `
const { SkyWalkingTracer } = require(process.env.DIST);
const tracer = new SkyWalkingTracer({ reportTimeoutMs: 500 });
tracer.startSpan('job').finish();
(async () => {
  await tracer.shutdown();
  const s = tracer.bridge.stats();
  console.log(JSON.stringify({ queued: s.queued, sent: s.sent, dropped: s.dropped, lost: s.lost }));
  process.exitCode = 3;
})();
`;

const TRANSPORTS = [
  { name: 'grpc', env: (address: string) => ({ SW_AGENT_COLLECTOR_BACKEND_SERVICES: address }) },
  { name: 'kafka', env: (address: string) => ({ SW_BRIDGE_REPORTER: 'kafka', SW_KAFKA_BOOTSTRAP_SERVERS: address }) },
];
const FAULTS = [
  { name: 'refusing connections', start: refusedServer },
  { name: 'accepting connections and never answering', start: silentServer },
];
const CASES = TRANSPORTS.flatMap((t) => FAULTS.map((f) => ({ ...t, fault: f.name, start: f.start })));

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each(CASES)('$name reporter, collector $fault', ({ env, start }) => {
  it('shutdown() settles: the code after the await runs and sets the exit code', async () => {
    server = await start();
    const r = await runProcess(process.execPath, ['-e', SCRIPT], {
      DIST,
      SW_AGENT_NAME: 'settles',
      SW_AGENT_LOGGING_LEVEL: 'error',
      ...env(server.address),
    });
    expect(r).toMatchObject({ code: 3, stdout: '{"queued":0,"sent":0,"dropped":1,"lost":0}\n', stderr: '' });
  });
});
