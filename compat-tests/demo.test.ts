/**
 * `npm run demo` end to end: the official Node agent, our OpenTelemetry processor and our
 * OpenTracing tracer in three processes, one trace, reported to the embedded collector. The demo
 * exits 0 only when every segment linked and the topology is exactly the expected one.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

it('runs the demo: three services written three ways, one linked trace, exit 0', async () => {
  const env = { ...process.env, SW_AGENT_COLLECTOR_BACKEND_SERVICES: '' };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, ['examples/demo/run.js'], { cwd: ROOT, env, timeout: 90_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toContain('all 3 traces linked: User -> frontend, frontend -> server-1, server-1 -> server-2');
  expect(stdout).toMatch(/frontend \/trace \[Exit Http HttpClient\] -> 127\.0\.0\.1:\d+/);
  expect(stdout).toMatch(/server-1 GET:\/trace \[Entry Http http\]/);
  expect(stdout).toMatch(/server-2 POST:\/user\/info \[Entry Http http\]/);
}, 120_000);
