/**
 * A pino line's LogData written straight from the line (`PinoLineLog`, the worker's path) is byte
 * for byte what the generic encoder writes for the same record as objects, for lines a real pino
 * writes and hand-made ones, line after line (what it encodes once per change: the ids, the
 * identity, the level and logger tags), with small bounds; and the official classes read it back.
 */
import { resolveConfig } from '../../src/base/config';
import { unpackIds as contextOfPacked } from '../../src/logs/carrier';
import { PinoKeys } from '../../src/pino/line';
import { PinoLineLog } from '../../src/pino/line-log';
import { pinoLineWorker } from '../../src/pino/line-worker';
import { encodeLogData } from '../../src/protocol/log-encoder';
import { ProtoWriter } from '../../src/protocol/proto-writer';
import { MemoryReporter } from '../../src/reporter/memory';
import { decodeLog, pinoLinesOf } from './support';

const shared = Buffer.alloc(100_000);

/** Read `line` into `log` as the worker does: its bytes among others, in a buffer overwritten for each line. */
function read(log: PinoLineLog, line: string): boolean {
  const n = shared.write(`x\n${line}\n{"level":30,"msg":"the next line"}`, 0, 'utf8');
  shared.fill(0, n);
  return log.read(shared, 2, n - 35);
}

const A = contextOfPacked('T-a.1.1|S-a|0|svc-a|inst-a|GET:/a');
const B = contextOfPacked(`T-b.2.2|S-b|3|svc-b||${'e'.repeat(1200)}`);

const lines = [
  ...pinoLinesOf((l) => {
    l.info({ orderId: 7, user: 'ada' }, 'order created');
    l.info({ orderId: 8, user: 'ada' }, 'order created');
    l.info({ nested: { a: [1, { b: 'x"y' }], c: null, d: true }, n: -1.5e-7 }, 'with "quotes" and \\ and é');
    l.warn('text only');
    l.warn('text only, ünïcode ✓');
    l.warn('z'.repeat(150));
    l.warn(`${'é'.repeat(100)}`);
    l.info({ only: 'fields' });
    l.info({ u: 'ünïcode' }, 'msg');
    l.info({ s: 'ends with backslash \\' }, 'x');
    l.info({ sw_ctx: 'T1|S1|2|svc-p|inst-p|GET:/p\\|q' }, 'packed');
    l.info({ sw_ctx: 'T1|S1|2|svc-p|inst-p|GET:/p\\|q' }, 'packed again');
    l.info({ sw_ctx: 'T2|S2|3|svc-q|inst-q|GET:/q\\|r' }, 'packed again'); // other ids, as long
    l.info({ sw_ctx: 'T3|S3|4|svc-r|inst-r|GET:/r', trace_id: 'T3', span_id: 4, segment_id: 'S-other' }, 'stamps');
    l.info({ sw_ctx: 'not packed' }, 'bad packed');
    l.child({ name: 'orders-log' }).info({ k: 1 }, 'named');
    l.child({ name: 'orders-log' }).error({ k: 2 }, 'named, error level');
    l.child({ name: `long-${'n'.repeat(100)}` }).info('a long logger name');
    l.child({ name: 'other-log' }).info('another logger, the same level');
    l.info('no logger, the same level');
    l.info({ big: 'z'.repeat(200) }, 'cut to text');
    l.info('tab\there, newline\nthere');
    l.info('');
  }),
  ...pinoLinesOf((l) => l.info({ k: 1 }, 'string level'), { formatters: { level: (label) => ({ level: label }) } }),
  ...pinoLinesOf((l) => l.info('no time'), { timestamp: false }),
  ...pinoLinesOf((l) => (l as unknown as { log(m: string): void }).log('custom level 35'), {
    customLevels: { log: 35 },
  }),
  '{"level":30,"time":1700000000123,"msg":"m"}',
  // bodies of exactly the bound (120) and one past it
  `{"level":30,"time":1700000000123,"k":"${'a'.repeat(102)}","msg":"x"}`,
  `{"level":30,"time":1700000000123,"k":"${'a'.repeat(103)}","msg":"x"}`,
  '{"level":30,"time":1.7e12,"msg":"a float time"}',
  '{"level":30,"time":-5,"msg":"a negative time"}',
  '{"level":30,"msg":"no time at all"}',
  '{"time":1700000000123,"msg":"no level"}',
  '{"level":30,"time":1700000000123}',
  `{"level":30,"time":1700000000123,"k":"${'b'.repeat(20_000)}","msg":"${'c'.repeat(20_000)}"}`,
];

it('writes every line exactly as the generic encoder writes its record, whatever came before it', () => {
  // a line without a time is stamped now: the same now for both
  vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_999);
  let compared = 0;
  // small bounds (bodies and a logger name cut), the defaults and a large bound (lengths of 2 and 3 bytes)
  for (const options of [{ logBodyMaxLength: 120, tagValueMaxLength: 40 }, {}, { logBodyMaxLength: 100_000 }]) {
    const identity = { service: 'svc', instance: 'inst' };
    const log = new PinoLineLog(resolveConfig(options), identity, new PinoKeys());
    const direct = new ProtoWriter(1024);
    const generic = new ProtoWriter(1024);
    // the lines in order and in reverse, under each context given beside them, the identity changing midway
    for (const given of [null, A, B, A, null]) {
      log.given = given;
      for (const line of [...lines, ...lines.slice().reverse()]) {
        if (!read(log, line)) throw new Error(`not read: ${line}`);
        for (const framed of [false, true]) {
          const mine = encodeLogData(log, direct, framed);
          const theirs = encodeLogData(log.logData(), generic, framed);
          if (!mine.equals(theirs)) throw new Error(`differs (${String(given?.traceId)}): ${line}`);
          compared++;
        }
      }
      identity.service = `svc-${compared}`;
    }
  }
  expect(compared).toBe(3 * 5 * 2 * lines.length * 2);
  vi.restoreAllMocks();
});

it('the official classes read back what it wrote: body, ids, identity, tags, time', () => {
  const config = resolveConfig({ logBodyMaxLength: 120 });
  const log = new PinoLineLog(config, { service: 'svc', instance: 'inst' }, new PinoKeys());
  const w = new ProtoWriter(1024);
  log.given = A;
  expect(read(log, '{"level":40,"time":1700000000123,"pid":1,"hostname":"h","orderId":7,"msg":"created"}')).toBe(true);
  expect(log.levelName()).toBe('warn');
  expect(decodeLog(encodeLogData(log, w))).toEqual({
    timestamp: 1700000000123,
    service: 'svc-a',
    serviceInstance: 'inst-a',
    endpoint: 'GET:/a',
    bodyCase: 'json',
    content: '{"msg":"created","orderId":7}',
    traceContext: { traceId: 'T-a.1.1', traceSegmentId: 'S-a', spanId: 0 },
    tags: { level: 'warn' },
    tagKeys: ['level'],
    layer: '',
  });
  // the line's own ids win over the given ones; outside a trace: the identity, no endpoint
  expect(read(log, '{"level":30,"time":1700000000124,"name":"app","sw_ctx":"T9|S9|4|s9|i9|E9","msg":"é"}')).toBe(true);
  expect(decodeLog(encodeLogData(log, w))).toMatchObject({
    service: 's9',
    serviceInstance: 'i9',
    endpoint: 'E9',
    bodyCase: 'text',
    content: 'é',
    traceContext: { traceId: 'T9', traceSegmentId: 'S9', spanId: 4 },
    tags: { level: 'info', logger: 'app' },
  });
  log.given = null;
  expect(read(log, '{"level":30,"time":1700000000125,"msg":"out"}')).toBe(true);
  expect(decodeLog(encodeLogData(log, w))).toMatchObject({
    service: 'svc',
    serviceInstance: 'inst',
    endpoint: '',
    content: 'out',
    traceContext: undefined,
  });
});

it('the worker: the minimum level on the level name (a custom level too), the ids beside the lines, a reporter that takes LogData', async () => {
  const memory = new MemoryReporter();
  // in-process, the worker's Bridge takes a reporter instance too (the transport's options are serializable)
  const reporter = memory as unknown as 'none';
  const worker = pinoLineWorker(
    { reporter, serviceName: 'svc', serviceInstance: 'inst', logLevel: 'warn' },
    undefined,
    true,
  );
  const head = (packed: string): string => `${JSON.stringify(packed)}\u0001`;
  worker.sink.push(
    [
      '{"level":40,"time":1700000000001,"msg":"warn, outside"}',
      // custom levels are named by their number and ranked by it: 35 is under warn, 45 is not
      '{"level":35,"time":1700000000002,"msg":"custom 35"}',
      '{"level":45,"time":1700000000002,"msg":"custom 45"}',
      '{"level":30,"time":1700000000003,"msg":"info"}',
      `${head('T-a.1.1|S-a|0|svc-a|inst-a|GET:/a')}{"level":50,"time":1700000000004,"msg":"error, in A"}`,
      '{"level":60,"time":1700000000005,"msg":"fatal, still in A"}',
      '\u0001{"level":40,"time":1700000000006,"msg":"warn, outside again"}',
      '',
    ].join('\n'),
  );
  await worker.sink.drained();
  // the next batches begin with other ids as long as A's, where A's were: each batch is read into the same buffer
  for (const trace of ['T-b.2.2|S-b|0|svc-b|inst-b|GET:/b', 'T-a.1.1|S-a|0|svc-a|inst-a|GET:/a']) {
    worker.sink.push(`${head(trace)}{"level":50,"time":1700000000007,"msg":"error, in ${trace[2]}"}\n`);
    await worker.sink.drained();
  }
  expect(
    memory.logs.map((d) => [d.body.text?.text, d.service, d.endpoint, d.traceContext?.traceId, d.tags[0]?.value]),
  ).toEqual([
    ['warn, outside', 'svc', '', undefined, 'warn'],
    ['custom 45', 'svc', '', undefined, '45'],
    ['error, in A', 'svc-a', 'GET:/a', 'T-a.1.1', 'error'],
    ['fatal, still in A', 'svc-a', 'GET:/a', 'T-a.1.1', 'fatal'],
    ['warn, outside again', 'svc', '', undefined, 'warn'],
    ['error, in b', 'svc-b', 'GET:/b', 'T-b.2.2', 'error'],
    ['error, in a', 'svc-a', 'GET:/a', 'T-a.1.1', 'error'],
  ]);
  expect(worker.bridge.stats().logs).toMatchObject({ sent: 7, dropped: 0, filtered: 2 });
  await worker.close();
});
