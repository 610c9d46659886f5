/**
 * `await tracer.shutdown()` settles within the report timeout for every transport, also when the
 * collector refuses connections, so the application's code after the `await` (its exit code too)
 * runs. Real child processes: a process whose event loop empties while a shutdown is pending exits
 * with code 0 before the `await` returns (issue #28, measured with the Kafka reporter).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runProcess } from '../support/spawn';

const DIST = join(__dirname, '..', '..', 'dist', 'entry');

/** A port on 127.0.0.1 where nothing listens. */
function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

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
  { name: 'grpc', env: (port: number) => ({ SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}` }) },
  {
    name: 'kafka',
    env: (port: number) => ({ SW_BRIDGE_REPORTER: 'kafka', SW_KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` }),
  },
];

describe.each(TRANSPORTS)('$name reporter, collector refusing connections', ({ env }) => {
  it('shutdown() settles: the code after the await runs and sets the exit code', async () => {
    const port = await refusedPort();
    const r = await runProcess(process.execPath, ['-e', SCRIPT], {
      DIST,
      SW_AGENT_NAME: 'settles',
      SW_AGENT_LOGGING_LEVEL: 'error',
      ...env(port),
    });
    expect(r).toMatchObject({ code: 3, stdout: '{"queued":0,"sent":0,"dropped":1,"lost":0}\n', stderr: '' });
  });
});
