/**
 * The zero-code start picks SkyWalkingSampler when SW_AGENT_SAMPLE is set: a real process started
 * with `--require skywalking-bridge/register`; the SDK records one new trace of three (n = 1 per
 * 3 s), and every one without it.
 */
import { join, resolve } from 'node:path';
import { runProcess } from '../support/spawn';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = `
const { trace } = require('@opentelemetry/api');
const t = trace.getTracer('check');
const recording = [];
for (let i = 0; i < 3; i++) { const s = t.startSpan('job ' + i); recording.push(s.isRecording()); s.end(); }
console.log(JSON.stringify(recording));
`;

async function run(env: Record<string, string>): Promise<string> {
  const out = await runProcess(
    process.execPath,
    ['--require', join(ROOT, 'dist', 'entry', 'register.js'), '-e', SCRIPT],
    { SW_BRIDGE_REPORTER: 'none', OTEL_TRACES_EXPORTER: 'none', ...env },
    60_000,
  );
  expect(out.code, out.stderr).toBe(0);
  return out.stdout.trim();
}

it('SW_AGENT_SAMPLE=1: one trace of three recorded; unset: all three', async () => {
  expect(await run({ SW_AGENT_SAMPLE: '1' })).toBe('[true,false,false]');
  expect(await run({ SW_AGENT_SAMPLE: '' })).toBe('[true,true,true]');
});
