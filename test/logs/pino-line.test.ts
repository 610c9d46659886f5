/**
 * The pino line read without JSON.parse (the log worker's usual path) gives exactly the LogData the
 * JSON.parse path gives, for lines written by a real pino: nested objects, arrays, escapes, quotes,
 * unicode, numbers, null, no message, a non-text message, a logger name, the packed ids, string
 * levels; and it leaves to JSON.parse what it does not read (an error, the separate id fields).
 */
import { resolveConfig } from '../../src/base/config';
import { recordOfPinoLine } from '../../src/pino/line';
import { buildLogData } from '../../src/logs/record';
import { recordOfPino } from '../../src/pino/line-worker';
import { pinoLinesOf } from './support';

const defaults = { config: resolveConfig({ logBodyMaxLength: 120 }), service: 'svc', serviceInstance: 'inst' };

it('reads the lines a real pino writes into exactly the LogData of the JSON.parse path', () => {
  const lines = pinoLinesOf((l) => {
    l.info({ orderId: 7, user: 'ada' }, 'order created');
    l.info(
      { nested: { a: [1, { b: 'x"y' }], c: null, d: true }, n: -1.5e-7 },
      'with "quotes" and \\ and \u00e9 and \u2028',
    );
    l.warn('text only');
    l.info({ only: 'fields' });
    l.error({ q: 'a,b}c]{' }, 'tricky');
    l.info({ s: 'ends with backslash \\' }, 'x');
    l.info({ sw_ctx: 'T1|S1|2|svc-a|inst-a|GET:/a\\|b' }, 'packed');
    l.child({ name: 'orders-log' }).info({ big: 'z'.repeat(200) }, 'cut to text');
    l.info('tab\there, newline\nthere');
  });
  lines.push(
    ...pinoLinesOf((l) => l.info({ k: 1 }, 'string level'), { formatters: { level: (label) => ({ level: label }) } }),
  );
  // the separate id fields are data, or stamps of the carrier's ids (left out); carrier-like keys below the strongest are data
  lines.push(
    '{"level":30,"time":1,"trace_id":"T","msg":"m"}',
    '{"level":30,"time":1,"sw_ctx":"T1|S1|2|s|i|E","trace_id":"T1","segment_id":"S1","span_id":2,"sw_service":"s","sw_instance":"i","sw_endpoint":"E","msg":"m"}',
    '{"level":30,"time":1,"sw_ctx":"T1|S1|2|s|i|E","sw_ctx~":"T2|S2|3|s|i|E","trace_id":"T1","msg":"m"}',
  );
  expect(lines).toHaveLength(13);
  for (const line of lines) {
    const fast = recordOfPinoLine(line);
    expect(fast, line).toBeDefined();
    const slow = recordOfPino(JSON.parse(line) as Record<string, unknown>);
    expect(buildLogData(fast!, defaults), line).toEqual(buildLogData(slow, defaults));
  }
  // what it read, to be sure the comparison compares something
  expect(buildLogData(recordOfPinoLine(lines[0]!)!, defaults).body).toEqual({
    json: { json: '{"msg":"order created","orderId":7,"user":"ada"}' },
  });
  expect(buildLogData(recordOfPinoLine(lines[6]!)!, defaults).traceContext).toEqual({
    traceId: 'T1',
    traceSegmentId: 'S1',
    spanId: 2,
  });
  expect(buildLogData(recordOfPinoLine(lines[6]!)!, defaults).endpoint).toBe('GET:/a|b');
  const read = (line: string) => {
    const d = buildLogData(recordOfPinoLine(line)!, defaults);
    return [d.traceContext?.traceId, d.body.json?.json ?? d.body.text?.text];
  };
  expect(read(lines[10]!)).toEqual([undefined, '{"msg":"m","trace_id":"T"}']);
  expect(read(lines[11]!)).toEqual(['T1', 'm']);
  expect(read(lines[12]!)).toEqual(['T2', '{"msg":"m","sw_ctx":"T1|S1|2|s|i|E","trace_id":"T1"}']);
});

it('leaves to JSON.parse: an error, a non-text message alone, malformed lines', () => {
  const [withError] = pinoLinesOf((l) => l.error(new Error('boom'), 'failed'));
  expect(recordOfPinoLine(withError!)).toBeUndefined();
  expect(recordOfPinoLine('{"level":30,"sw_ctx":"T1|S1|2|s|i|E","msg":42}')).toBeUndefined();
  expect(recordOfPinoLine('{"level":30,"msg":42}')).toBeUndefined();
  // an escaped key (JSON.parse reads "lev\u0065l" as level); a backslash in a value before it is no key's
  expect(recordOfPinoLine('{"a":"x\\\\","lev\\u0065l":50,"msg":"m"}')).toBeUndefined();
  expect(recordOfPinoLine('{"a":"x\\\\","level":50,"msg":"m"}')?.level).toBe('error');
  for (const bad of ['', '{', '{}', 'not json', '{"a":1,}', '{"a" 1}', '{"a":"unterminated}', '{"a":1}x', '[1,2]'])
    expect(recordOfPinoLine(bad), bad).toBeUndefined();
});
