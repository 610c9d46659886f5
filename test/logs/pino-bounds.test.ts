/**
 * The pino paths under a flood (issue #19): an application logs 150,000 records (with a 200-character
 * field) as fast as it can, far faster than the log worker reports them, in its own process (real pino,
 * our mixin, dist/). With `skywalkingDestination` the lines between the application thread and the
 * worker are bounded (`logBufferBytes`): the app's memory stays flat, the excess is dropped and counted,
 * and sent + dropped + lost is exactly what was logged; what was sent is what a real gRPC collector
 * received, decoded with skywalking-backend-js's classes. The transport path (thread-stream) keeps the
 * same exact count, the collector up or away. Also: the line queue's exact drop counting.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { LineSink } from '../../src/pino/line-sink';
import { type RawCollector, decodeLog, startRawCollector } from './support';

// ~40 MB of lines against a 1 MiB bound: the flood outruns the worker many times over
const RECORDS = 150_000;
const MB = 1024 * 1024;

let collector: RawCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

interface FloodResult {
  baseRss: number;
  peakRss: number;
  baseAb: number;
  peakAb: number;
  stats: { queued: number; sent: number; dropped: number; lost: number; filtered: number };
  ids: { traceId: string; segmentId: string; spanId: number };
}

async function flood(
  mode: 'dest' | 'transport',
  address: string,
  env: Record<string, string> = {},
): Promise<FloodResult> {
  const app = spawn(process.execPath, [join(__dirname, 'fixtures', 'pino-flood.js'), mode, String(RECORDS)], {
    env: { ...process.env, COLLECTOR: address, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  app.stdout.on('data', (d: Buffer) => (out += d));
  app.stderr.on('data', (d: Buffer) => (err += d));
  try {
    const [code] = await once(app, 'exit');
    expect(code, err).toBe(0);
  } finally {
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  return JSON.parse(out.trim().split('\n').pop()!) as FloodResult;
}

it('skywalkingDestination, flooded: the app memory stays bounded (no ArrayBuffers, RSS flat), the excess is dropped and counted; sent + dropped + lost = logged, sent = received', async () => {
  collector = await startRawCollector();
  const r = await flood('dest', collector.address, { BUFFER_BYTES: String(MB) });
  const { sent, dropped, lost, filtered, queued } = r.stats;
  expect(sent + dropped + lost).toBe(RECORDS);
  expect(filtered).toBe(0);
  expect(queued).toBe(0);
  expect(dropped).toBeGreaterThan(0); // the app outran the worker: lines dropped, not held
  expect(sent).toBeGreaterThan(0);
  expect(collector.logs.length).toBe(sent);
  // the lines wait as strings: no Buffer per line (thread-stream's path grew ~70 MB of them here)
  expect(r.peakAb - r.baseAb).toBeLessThan(MB);
  // thread-stream's path: +270 MB at 200,000 records; this one holds 1 M characters of lines
  expect(r.peakRss - r.baseRss).toBeLessThan(150 * MB);
  const traced = collector.logs.map(decodeLog).find((l) => l.traceContext !== undefined)!;
  const { content, ...rest } = traced;
  expect(rest).toEqual({
    timestamp: expect.any(Number),
    service: 'flood',
    serviceInstance: 'flood-1',
    endpoint: 'GET:/flood',
    bodyCase: 'json',
    traceContext: { traceId: r.ids.traceId, traceSegmentId: r.ids.segmentId, spanId: 0 },
    tags: { level: 'info' },
    tagKeys: ['level'],
    layer: '',
  });
  expect(content).toMatch(new RegExp(`^\\{"msg":"order created","orderId":\\d+,"pad":"${'x'.repeat(200)}"\\}$`));
});

it('the transport (thread-stream), flooded with the collector up and away: sent + dropped + lost = logged exactly, sent = received', async () => {
  collector = await startRawCollector();
  const up = await flood('transport', collector.address, { BUFFER_BYTES: String(MB) });
  expect(up.stats.sent + up.stats.dropped + up.stats.lost).toBe(RECORDS);
  expect(up.stats.sent).toBe(collector.logs.length);
  expect(up.stats.sent).toBeGreaterThan(0);
  const address = collector.address;
  await collector.stop();
  collector = undefined;
  // nothing can be delivered: a short close deadline, then everything is counted dropped or lost
  const away = await flood('transport', address, { CLOSE_MS: '1000' });
  expect(away.stats.sent).toBe(0);
  expect(away.stats.dropped + away.stats.lost).toBe(RECORDS);
});

describe('LineSink', () => {
  const run = async (maxChars: number, chunks: string[]) => {
    const lines: string[] = [];
    const done: number[] = [];
    const sink = new LineSink(
      maxChars,
      (b, start, end) => lines.push(b.toString('utf8', start, end)),
      (n) => done.push(n),
    );
    for (const c of chunks) sink.push(c);
    sink.end();
    await sink.drained();
    return { lines, dropped: sink.dropped, taken: sink.taken, done, queued: sink.queued };
  };

  it('joins lines cut anywhere, and takes a last line without its newline', async () => {
    const r = await run(1000, ['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n{"d"', ':4}']);
    expect(r.lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    expect(r).toMatchObject({ dropped: 0, taken: 4, queued: 0 });
    expect(r.done.reduce((a, b) => a + b, 0)).toBe('{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}\n'.length);
  });

  it('hands each line on as its UTF-8 bytes, chunk after chunk in one reused buffer', async () => {
    const r = await run(1000, ['{"é":"ü✓"}\n{"b":"\u{1F600}"}\n', '{"c":3}\n']);
    expect(r.lines).toEqual(['{"é":"ü✓"}', '{"b":"\u{1F600}"}', '{"c":3}']);
  });

  it('drops whole lines past maxChars and counts each; a line longer than maxChars is skipped to its newline and counted once', async () => {
    // 10 characters a line; room for 2 lines waiting (nothing is taken before the first turn)
    const r = await run(25, [
      'line-0001\nline-0002\n',
      'line-0003\n',
      'line-0004\nline-0005\n',
      `${'y'.repeat(20)}`,
      `${'y'.repeat(20)}\nline-0006\n`,
    ]);
    expect(r.lines).toEqual(['line-0001', 'line-0002']);
    expect(r.dropped).toBe(5); // 0003, 0004, 0005, the long line, 0006 (queue still full)
    expect(r.taken + r.dropped).toBe(7);
  });

  it('discard counts what waits as dropped', async () => {
    const lines: string[] = [];
    const sink = new LineSink(1000, (b, start, end) => lines.push(b.toString('utf8', start, end)));
    sink.push('a\nb\nc\n');
    sink.discard();
    await sink.drained();
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([]);
    expect(sink.dropped).toBe(3);
    expect(sink.queued).toBe(0);
  });
});
