/**
 * What the fault tests share: the load app (compat-tests/fixtures/load-app.js), which runs with
 * --unhandled-rejections=strict and must end by itself after shutdown(); its RESULT line; our
 * diagnostics in its output; and the processes a test started, stopped after each test.
 */
import { resolve } from 'node:path';
import { afterEach } from 'vitest';
import type { Service } from '../../test/support/spawn';

export const APP = resolve(__dirname, '../fixtures/load-app.js');

/** Every process a test started: stopped (and their exit awaited) after each test, pass or fail. */
const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

/** Start and remember for afterEach. */
export async function started(service: Promise<Service>): Promise<Service> {
  const s = await service;
  running.push(s);
  return s;
}

export interface Result {
  generated: number;
  stats: { queued: number; sent: number; dropped: number; lost: number; failedBatches: number };
  shutdownMs: number;
  heapMaxMb: number;
  loopDelayP99Ms: number;
}

/** Wait for the app to end by itself; its RESULT line, exit code and stderr. */
export function ended(
  app: Service,
  ms: number,
): Promise<{ code: number | null; result: Result; stderr: string; output: string }> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the app did not exit by itself within ${ms} ms; output:\n${app.output()}`)),
      ms,
    );
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      const out = app.output();
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) return fail(new Error(`no RESULT line (exit ${code}):\n${out}`));
      done({
        code,
        result: JSON.parse(line.slice(7)) as Result,
        stderr: out
          .split('\n')
          .filter((l) => !l.startsWith('RESULT ') && !l.includes('listening on'))
          .join('\n'),
        output: out,
      });
    };
    if (app.child.exitCode !== null) finish(app.child.exitCode);
    else app.child.once('exit', finish);
  });
}

/** Our diagnostics, by message with numbers blanked: each distinct condition may appear once. */
export function diagnostics(stderr: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('[skywalking-bridge]')) continue;
    const key = line.replace(/\d+/g, 'N');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
