/**
 * `forward --file`: bad lines among good ones, a file rotated and truncated under the reader,
 * a forwarder killed and restarted on its state file, and a collector that is away.
 */
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentObject } from '../../src/base/model';
import { type Collector, startCollector } from '../../src/collector';
import { bySegmentId, messagesOf, runLineApp, startForward, waitFor } from './support';

const dir = mkdtempSync(join(tmpdir(), 'swb-forward-'));
let collector: Collector;
/** Marked segment lines of a real app run (each line ends with a newline), and their segments. */
let lines: string[];
let segments: SegmentObject[];

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
  const file = join(dir, 'app.lines');
  await runLineApp({ SEGMENTS: '60', SPANS: '3', LINE_FILE: file });
  lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"skywalking":"segment"'))
    .map((l) => `${l}\n`);
  segments = messagesOf(lines.join('')).segments;
});
afterAll(async () => {
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The collector's segments among `expected`, by id (duplicates kept). */
function arrived(expected: SegmentObject[]): SegmentObject[] {
  const ids = new Set(expected.map((s) => s.traceSegmentId));
  return collector.segments().filter((s) => ids.has(s.traceSegmentId));
}

const unique = (list: SegmentObject[]): number => new Set(list.map((s) => s.traceSegmentId)).size;

describe('forward --file', () => {
  it('skips truncated, invalid, binary and 10 MB lines, counted, and loses no good line', async () => {
    expect(lines.length).toBe(60);
    const file = join(dir, 'faults.lines');
    const good = lines.slice(0, 10);
    const big = `{"skywalking":"segment","traceId":"${'x'.repeat(10 * 1024 * 1024)}"}\n`;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7b, 0x22, 0x0a]);
    writeFileSync(file, good[0]!);
    appendFileSync(file, good[1]!.slice(0, 200) + '\n'); // truncated
    appendFileSync(file, good[2]!);
    appendFileSync(file, '{"skywalking":"segment","traceId":1}\n'); // wrong type
    appendFileSync(file, good[3]!);
    appendFileSync(file, binary);
    appendFileSync(file, good[4]!);
    appendFileSync(file, big);
    appendFileSync(file, good[5]!);
    appendFileSync(file, '{"skywalking":"segment"\n'); // broken JSON
    for (const l of good.slice(6)) appendFileSync(file, l);
    const forward = startForward(['--file', file, '--no-follow', '--stats', '--collector', collector.grpcAddress]);
    expect(await forward.exited).toBe(0);
    const expected = [good[0], good[2], good[3], good[4], good[5], ...good.slice(6)].map(
      (l) => messagesOf(l!).segments[0]!,
    );
    expect(arrived(segments.slice(0, 10)).sort(bySegmentId)).toEqual(expected.sort(bySegmentId));
    expect(forward.lastStats()).toMatchObject({
      segments: 9,
      invalid: 3,
      foreign: 1,
      sources: { [file]: { tooLong: 1, rotations: 0, truncations: 0 } },
    });
  });

  it('follows a file across a rotation and a truncation, and resumes from its state after a kill', async () => {
    const file = join(dir, 'follow.lines');
    const state = join(dir, 'state', 'forward.json');
    const mine = segments.slice(10, 60);
    writeFileSync(file, lines.slice(10, 20).join(''));
    const args = ['--file', file, '--state', state, '--stats', '--stats-interval', '1', '--batch', '4'];
    let forward = startForward([...args, '--collector', collector.grpcAddress]);
    await waitFor('the first 10 segments', () => unique(arrived(mine)) === 10, forward.output);
    // rotated: the old file moves aside, a new one takes its name
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines.slice(20, 30).join(''));
    await waitFor('10 more after the rotation', () => unique(arrived(mine)) === 20, forward.output);
    // truncated under the reader (same file, shorter than where it was)
    writeFileSync(file, lines.slice(30, 35).join(''));
    await waitFor('5 more after the truncation', () => unique(arrived(mine)) === 25, forward.output);
    await waitFor(
      'a stats line with the rotation and the truncation',
      () => {
        const s = forward.lastStats() as
          { sources?: Record<string, { rotations: number; truncations: number }> } | undefined;
        return s?.sources?.[file]?.rotations === 1 && s.sources[file]!.truncations === 1;
      },
      forward.output,
    );
    // killed mid-stream, while lines keep coming
    appendFileSync(file, lines.slice(35, 45).join(''));
    forward.child.kill('SIGKILL');
    await forward.exited;
    appendFileSync(file, lines.slice(45, 60).join(''));
    forward = startForward([...args, '--collector', collector.grpcAddress]);
    await waitFor('all 50 after the restart', () => unique(arrived(mine)) === 50, forward.output);
    forward.child.kill('SIGTERM');
    expect(await forward.exited).toBe(0);
    // at least once: a batch delivered but not yet committed when killed comes again (at most one batch of 4)
    const duplicates = arrived(mine).length - 50;
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(4);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({
      files: { [file]: { ino: expect.any(Number), offset: readFileSync(file).length } },
    });
  });

  it('pauses reading while the collector is away, and delivers everything once it is back', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = join(dir, 'away.lines');
    writeFileSync(file, lines.slice(0, 40).join(''));
    const forward = startForward(
      [
        '--file',
        file,
        '--no-follow',
        '--batch',
        '5',
        '--stats',
        '--stats-interval',
        '1',
        '--collector',
        `127.0.0.1:${port}`,
      ],
      { SW_AGENT_TRACE_TIMEOUT: '1000' },
    );
    await waitFor(
      'a stalled delivery',
      () => ((forward.lastStats()?.sink as { stalls?: number } | undefined)?.stalls ?? 0) >= 2,
      forward.output,
    );
    // one batch read, no more
    expect(forward.lastStats()).toMatchObject({ lines: 5, segments: 0, sink: { pending: 5 } });
    const late = await startCollector({ grpcPort: port, httpPort: false });
    try {
      expect(await forward.exited).toBe(0);
      const got = late.segments();
      expect(new Set(got.map((s) => s.traceSegmentId)).size).toBe(40);
      expect(forward.lastStats()).toMatchObject({ lines: 40, segments: 40 });
    } finally {
      await late.stop();
    }
  }, 120_000);
});
