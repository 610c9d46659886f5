/**
 * A zero-code application (`--require skywalking-bridge/register`) stopped by SIGTERM or Ctrl-C
 * while the OAP is away: one line says what is waited for and for how long at most, and a second
 * signal exits at once. Real child processes; each wait is for an event (a line, the exit), never
 * a time bound.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Service, startProcess } from '../support/spawn';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'dist', 'entry', 'register.js');
const APP = join(ROOT, 'test', 'fixtures', 'idle-http.js');
const WAIT_LINE = /waiting at most [\d.]+ s to deliver/g;

function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const started: Service[] = [];
afterEach(() => {
  // a test that failed leaves its application running: end it by its PID
  for (const app of started.splice(0))
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
});

async function startApp(timeoutMs: number, env: Record<string, string> = {}): Promise<Service> {
  const port = await refusedPort();
  const app = await startProcess(process.execPath, ['--require', REGISTER, APP], {
    SW_AGENT_NAME: 'exit-app',
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}`,
    SW_AGENT_TRACE_TIMEOUT: String(timeoutMs),
    ...env,
  });
  started.push(app);
  return app;
}

/** Resolves once the output matches `pattern`. */
function outputMatches(app: Service, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      pattern.lastIndex = 0;
      if (!pattern.test(app.output())) return;
      app.child.stderr!.off('data', check);
      resolve();
    };
    app.child.stderr!.on('data', check);
    check();
  });
}

function exited(app: Service): Promise<NodeJS.Signals | null> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return Promise.resolve(app.child.signalCode);
  return new Promise((resolve) => app.child.once('exit', (_code, signal) => resolve(signal)));
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s while the OAP is away', (signal) => {
  it('one line says what is waited for and for how long; a second signal exits at once', async () => {
    // the longest report timeout: only the second signal can end the process before this test's timeout
    const app = await startApp(600_000);
    app.child.kill(signal);
    await outputMatches(app, WAIT_LINE);
    const lines = app.output().match(WAIT_LINE) ?? [];
    expect(lines).toHaveLength(1);
    // the two segments of the fixture's request to itself (server and client) wait in the queue
    expect(app.output()).toMatch(
      new RegExp(
        `\\[skywalking-bridge\\] stopping on ${signal}: waiting at most 600 s to deliver 2 segment\\(s\\) and 0 log record\\(s\\) to 127\\.0\\.0\\.1:\\d+; (press Ctrl-C or )?send ${signal} again to exit now`,
      ),
    );
    app.child.kill(signal);
    expect(await exited(app)).toBe(signal);
    expect(app.output().match(WAIT_LINE)).toHaveLength(1);
  });
});

it('SIGTERM the application handles itself, the OAP away: the line says the application decides; the process ends after the shutdown', async () => {
  const app = await startApp(3000, { HANDLE_SIGTERM: '1' });
  app.child.kill('SIGTERM');
  const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    app.child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // the application's handler ran and the process ended by itself once the shutdown gave up
  expect(end).toEqual({ code: 0, signal: null });
  expect(app.output()).toContain('app: closing\n');
  expect(app.output().match(WAIT_LINE)).toHaveLength(1);
  expect(app.output()).toMatch(
    /\[skywalking-bridge\] stopping on SIGTERM: waiting at most [\d.]+ s to deliver 2 segment\(s\) and 0 log record\(s\) to 127\.0\.0\.1:\d+; the application handles SIGTERM itself\n/,
  );
});
