/**
 * The line reporter writes its lines as views of its writer's chunks (256 KiB each), a batch as the
 * contiguous parts in one writev: megabytes of lines, across a dozen chunks, in turns of writes and
 * flushes (some added while a write is on the way), reach the file whole and in order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/base/config';
import { logLine } from '../../src/protocol/line-json';
import type { LogData } from '../../src/protocol/log-encoder';
import { LineReporter } from '../../src/reporter/line';

const dir = mkdtempSync(join(tmpdir(), 'swb-line-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes 3 MB of lines across the chunks exactly, in order', async () => {
  const file = join(dir, 'app.lines');
  const reporter = new LineReporter(resolveConfig({ serviceName: 's', reporter: 'line', lineFile: file }), {
    lateIdentity: true,
  });
  const expected: string[] = [];
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 100; i++) {
      const n = round * 100 + i;
      const record: LogData = {
        timestamp: 1_700_000_000_000 + n,
        service: 's',
        serviceInstance: 'i',
        endpoint: '',
        body: { text: { text: `record ${n} ${String.fromCharCode(97 + (n % 26)).repeat(900 + (n % 200))}` } },
        tags: [{ key: 'n', value: String(n) }],
        layer: '',
      };
      reporter.reportLog(record);
      expected.push(logLine(record));
    }
    // some rounds wait for the write, some add while one is on the way
    if (round % 3 !== 1) await reporter.flush(10_000);
  }
  await reporter.shutdown(10_000);
  expect(reporter.stats().logs).toEqual({ queued: 0, sent: 3000, dropped: 0, lost: 0 });
  const lines = readFileSync(file, 'utf8').split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length).toBe(3000);
  expect(lines).toEqual(expected);
});
