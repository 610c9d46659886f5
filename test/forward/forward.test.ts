/**
 * `skywalking-bridge forward` as a real process between a real application (reporter 'line', a
 * child process) and the embedded collector (real gRPC): stdin, the text pattern, files.
 */
import { type Collector, startCollector } from '../../src/collector';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE_APP, bySegmentId, messagesOf, startForward, waitFor } from './support';

let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector?.stop();
});

/** The app's stdout piped into a forwarder's stdin; resolves with what the app wrote and the forwarder's last stats. */
async function pipeAppIntoForward(env: Record<string, string>, args: string[]) {
  const forward = startForward(['--collector', collector.grpcAddress, '--stats', ...args]);
  const app = spawn(process.execPath, [LINE_APP], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let written = '';
  app.stdout!.on('data', (d: Buffer) => (written += d.toString()));
  app.stdout!.pipe(forward.child.stdin!);
  expect(await forward.exited).toBe(0);
  return { written, stats: forward.lastStats()!, output: forward.output() };
}

describe('forward from stdin', () => {
  it('delivers every segment and log record the app wrote, exactly, and counts the foreign lines', async () => {
    const before = collector.segments().length;
    const { written, stats } = await pipeAppIntoForward({ SEGMENTS: '40', SPANS: '4' }, []);
    const { segments, logs } = messagesOf(written);
    expect(segments.length).toBe(40);
    const arrived = collector.segments().slice(before);
    expect([...arrived].sort(bySegmentId)).toEqual([...segments].sort(bySegmentId));
    const ids = new Set(segments.map((s) => s.traceId));
    const arrivedLogs = collector.logs().filter((l) => ids.has(l.traceContext?.traceId ?? ''));
    expect(arrivedLogs.map((l) => l.content).sort()).toEqual(logs.map((l) => l.body.text!.text).sort());
    expect(stats).toMatchObject({
      lines: 40 + 40 + 1 + 42,
      segments: 40,
      logs: 40,
      textLogs: 0,
      properties: 1,
      foreign: 42,
      invalid: 0,
      sink: { segments: 40, logs: 40, resent: 0, management: { sent: 1, failed: 0, skipped: 0 } },
    });
    expect(collector.instances().some((i) => i.service === 'line-app' && i.instance === 'line-app-1')).toBe(true);
  });

  it('--text-pattern bracket turns the text lines into log records of their traces, level as a tag', async () => {
    const { written, stats } = await pipeAppIntoForward({ SEGMENTS: '5', SPANS: '1' }, [
      '--text-pattern',
      'bracket',
      '--service',
      'line-app',
      '--instance',
      'line-app-1',
    ]);
    const { segments } = messagesOf(written);
    expect(stats).toMatchObject({ segments: 5, logs: 10, textLogs: 5, foreign: 2 });
    for (const [i, s] of segments.entries()) {
      const text = collector.traceLogs(s.traceId).find((l) => l.content.includes('orders.go'))!;
      const n = Number(/\/orders\/(\d+)/.exec(s.spans[0]!.operationName)![1]);
      const stamp = text.content.slice(0, 19);
      expect(text.content).toBe(`${stamp} orders.go:119: [INFO] [trace_id=${s.traceId}] order ${n}`);
      expect(text.service).toBe('line-app');
      expect(text.tags).toEqual([{ key: 'level', value: 'INFO' }]);
      expect(text.timestamp).toBe(new Date(stamp.replace(/\//g, '-').replace(' ', 'T')).getTime());
      expect(i).toBeLessThan(5);
    }
  });

  it('ends on SIGTERM while stdin is open and idle, with its stats line', async () => {
    const forward = startForward(['--collector', collector.grpcAddress, '--stats', '--stats-interval', '1']);
    forward.child.stdin!.write('app: a foreign line\n');
    await waitFor('a stats line with the line read', () => forward.lastStats()?.lines === 1, forward.output);
    forward.child.kill('SIGTERM');
    expect(await forward.exited).toBe(0);
    expect(forward.lastStats()).toMatchObject({ lines: 1, foreign: 1 });
  });
});
