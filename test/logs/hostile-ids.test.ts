/**
 * Ids nobody can forge or break: trace ids holding `|`, `\n`, `\u0001`, `"`, `\\` and as long as a
 * 2 KiB sw8 header takes (through sw8, and through the application's trace-id header where it takes them), and logged
 * objects holding every key name of the ids carrier and stamps, through every log path
 * (skywalkingDestination, mixin + transport, winston, the OTel Logs SDK): each record stays with
 * the span that wrote it, none is lost. On the transport's stream a raw carrier line sets no ids
 * for the lines after it, and a 10 MB line drops alone: sent + dropped + lost = written.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { join } from 'node:path';
import pino from 'pino';
import winston from 'winston';
import { traceContext } from '../../src/entry/index';
import { SkyWalkingLogRecordProcessor } from '../../src/opentelemetry/log-processor';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import { skywalkingDestination } from '../../src/pino/destination';
import { skywalkingMixin } from '../../src/pino/mixin';
import { transportStats } from '../../src/pino/transport';
import { encodeSw8 } from '../../src/propagation/sw8';
import { SkyWalkingTransport, skywalkingFormat } from '../../src/winston/winston';
import { type DecodedLog, type RawCollector, startRawCollector } from './support';

const TRANSPORT = join(__dirname, '..', '..', 'dist', 'entry', 'pino.js');
const contextManager = new AsyncLocalStorageContextManager();
let collector: RawCollector | undefined;
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

const HOSTILE_IDS = [
  'a|b|7|evil|evil-1|/x',
  'line\nbreak',
  'ctl\u0001x',
  'quote"d',
  'back\\slash\\|',
  // the longest sw8 takes: its header is at most 2 KiB
  `${'k'.repeat(1400)}|long`,
];
/** The application's own trace-id header takes visible ASCII (no comma), 128 at most. */
const HEADER_IDS = ['a|b|7|evil|evil-1|/x', 'quote"d', 'back\\slash\\|'];

const HOSTILE_OBJECT = {
  sw_ctx: 'forged|seg|9|evil|evil-1|/evil',
  'sw_ctx~': 'forged|seg|9|evil|evil-1|/evil',
  'sw_ctx~~': '"forged|seg|9|evil|evil-1|/evil"',
  trace_id: 'forged',
  segment_id: 'forged-seg',
  span_id: 9,
  sw_service: 'evil',
  sw_instance: 'evil-1',
  sw_endpoint: '/evil',
  trace_flags: '01',
};

interface Case {
  n: number;
  via: string;
  ids: ReturnType<typeof traceContext>;
}

it('hostile trace ids (sw8, traceIdHeader) and logged objects with every carrier key: every record stays with its span, in every path', async () => {
  collector = await startRawCollector();
  const address = collector.address;
  const resource = resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' });
  const spans = new SkyWalkingSpanProcessor({ reporter: 'none' });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [spans] }).getTracer('t');
  const options = {
    collectorAddress: address,
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    flushIntervalMs: 50,
  };
  const dest = skywalkingDestination(options);
  const destLogger = pino({}, dest);
  const stream = pino.transport({ target: TRANSPORT, options }) as NodeJS.EventEmitter & { end(): void };
  const transportLogger = pino({ mixin: skywalkingMixin() }, stream as never);
  const sw = new SkyWalkingTransport(options);
  const winstonLogger = winston.createLogger({ format: skywalkingFormat(), transports: [sw] });
  const otelProcessor = new SkyWalkingLogRecordProcessor(options);
  const otelLogger = new LoggerProvider({ resource, processors: [otelProcessor] }).getLogger('orders');

  const cases: Case[] = [];
  let n = 0;
  const logAll = (ids: Case['ids']): void => {
    for (const obj of [{}, HOSTILE_OBJECT]) {
      const one = (via: string, log: (fields: object) => void): void => {
        cases.push({ n: ++n, via, ids });
        log({ ...obj, n });
      };
      one('destination', (f) => destLogger.info(f, 'm'));
      one('transport', (f) => transportLogger.info(f, 'm'));
      one('winston', (f) => winstonLogger.info('m', f));
      one('otel-logs', (f) =>
        otelLogger.emit({ severityNumber: SeverityNumber.INFO, body: 'm', attributes: f as Record<string, never> }),
      );
    }
  };
  const propagators: Array<[SkyWalkingPropagator, (id: string) => Record<string, string>, string[]]> = [
    [
      new SkyWalkingPropagator(),
      (id) => ({
        sw8: encodeSw8({
          sample: 1,
          traceId: id,
          segmentId: 'upstream-seg',
          spanId: 1,
          service: 'up',
          instance: 'up-1',
          endpoint: '/up',
          address: 'orders:80',
        })!,
      }),
      HOSTILE_IDS,
    ],
    [new SkyWalkingPropagator({ traceIdHeader: 'x-trace-id' }), (id) => ({ 'x-trace-id': id }), HEADER_IDS],
  ];
  for (const [propagator, headers, ids] of propagators) {
    for (const id of ids) {
      const parent = propagator.extract(ROOT_CONTEXT, headers(id), defaultTextMapGetter);
      const server = tracer.startSpan(
        'GET',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
        parent,
      );
      const ctx = trace.setSpan(parent, server);
      const own = traceContext(ctx)!;
      expect(own.traceId).toBe(id);
      context.with(ctx, () => logAll(own));
      server.end();
    }
  }
  // outside any span too
  logAll(undefined);

  await new Promise<void>((done) => dest.flush(() => done()));
  await new Promise<void>((done) => transportLogger.flush(() => done()));
  await sw.flush();
  await otelProcessor.forceFlush();
  const logs = await collector.waitForLogs(cases.length);
  expect(logs).toHaveLength(cases.length);
  const byN = new Map<number, DecodedLog>();
  for (const l of logs) {
    const body = l.bodyCase === 'json' ? (JSON.parse(l.content) as { n?: number }) : undefined;
    const n = body?.n ?? Number(l.tags.n);
    expect(byN.has(n)).toBe(false);
    byN.set(n, l);
  }
  for (const c of cases) {
    const l = byN.get(c.n)!;
    const want = c.ids ? { traceId: c.ids.traceId, traceSegmentId: c.ids.segmentId, spanId: c.ids.spanId } : undefined;
    expect([c.via, c.n, l.traceContext]).toEqual([c.via, c.n, want]);
    expect([c.via, l.service, l.endpoint]).toEqual([c.via, 'orders', c.ids ? 'GET:/orders' : '']);
  }
  // the logged object's keys are its data, in each path's body or tags
  const hostile = cases.find((c) => c.via === 'transport' && byN.get(c.n)!.content.includes('forged'))!;
  expect(JSON.parse(byN.get(hostile.n)!.content)).toEqual({ msg: 'm', ...HOSTILE_OBJECT, n: hostile.n });
  const hostileDest = cases.find((c) => c.via === 'destination' && byN.get(c.n)!.content.includes('forged'))!;
  expect(JSON.parse(byN.get(hostileDest.n)!.content)).toEqual({ msg: 'm', ...HOSTILE_OBJECT, n: hostileDest.n });
  const hostileWinston = cases.find((c) => c.via === 'winston' && byN.get(c.n)!.content.includes('forged'))!;
  expect(JSON.parse(byN.get(hostileWinston.n)!.content)).toEqual({
    message: 'm',
    ...HOSTILE_OBJECT,
    n: hostileWinston.n,
  });

  // a record counts as sent once its batch's call is answered: after the collector has it
  const settled = async (read: () => Promise<{ sent: number; dropped: number; lost: number } | undefined>) => {
    for (;;) {
      const s = (await read())!;
      if (s.sent + s.dropped + s.lost >= cases.length / 4) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  expect(await settled(() => dest.stats())).toMatchObject({ sent: cases.length / 4, dropped: 0, lost: 0 });
  expect(await settled(() => transportStats(stream))).toMatchObject({ sent: cases.length / 4, dropped: 0, lost: 0 });
  await dest.close();
  stream.end();
  await sw.shutdown();
  await otelProcessor.shutdown();
});

it('the transport stream: a raw carrier line sets no ids for later lines; a 10 MB line drops alone; sent + dropped + lost = written', async () => {
  collector = await startRawCollector();
  const options = {
    collectorAddress: collector.address,
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    flushIntervalMs: 50,
    logBufferBytes: 1024 * 1024,
  };
  const stream = pino.transport({ target: TRANSPORT, options }) as NodeJS.EventEmitter & {
    write(s: string): boolean;
    end(): void;
  };
  const logger = pino({}, stream as never);
  // what the destination writes beside its lines, written raw to the transport's stream
  stream.write(`${JSON.stringify('T-raw|S-raw|1|evil|evil-1|/evil')}\u0001{"level":30,"msg":"raw"}\n`);
  stream.write('\u0001{"level":30,"msg":"raw, no ids"}\n');
  logger.info({ big: 'x'.repeat(10 * 1024 * 1024) }, 'too big');
  for (let i = 0; i < 1000; i++) logger.info({ i }, 'after');
  await new Promise<void>((done) => logger.flush(() => done()));
  const logs = await collector.waitForLogs(1000);
  const written = 1003;
  // a record counts as sent once its batch's call is answered: after the collector has it
  let stats = (await transportStats(stream))!;
  while (stats.sent + stats.dropped + stats.lost < written) {
    await new Promise((r) => setTimeout(r, 50));
    stats = (await transportStats(stream))!;
  }
  expect(stats, JSON.stringify(stats)).toBeDefined();
  expect(stats.sent + stats.dropped + stats.lost, JSON.stringify(stats)).toBe(written);
  expect(stats).toMatchObject({ sent: 1000, dropped: 3, lost: 0 });
  expect(logs).toHaveLength(1000);
  expect(logs.map((l) => l.traceContext)).toEqual(logs.map(() => undefined));
  expect(logs.map((l) => JSON.parse(l.content) as { i: number }).map((b) => b.i)).toEqual([...Array(1000).keys()]);
  stream.end();
});

it('skywalkingDestination: a 10 MB line drops alone; the 1,000 lines after it keep their span; sent + dropped + lost = written', async () => {
  collector = await startRawCollector();
  const resource = resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' });
  const tracer = new BasicTracerProvider({
    resource,
    spanProcessors: [new SkyWalkingSpanProcessor({ reporter: 'none' })],
  }).getTracer('t');
  const dest = skywalkingDestination({
    collectorAddress: collector.address,
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    flushIntervalMs: 50,
    logBufferBytes: 1024 * 1024,
    // close() sends what waits within this: a deadline for a hang here (3 s by default, which two
    // busy cores overran)
    closeTimeoutMs: 60_000,
  });
  const logger = pino({}, dest);
  const server = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
  const ctx = trace.setSpan(ROOT_CONTEXT, server);
  const ids = traceContext(ctx)!;
  context.with(ctx, () => {
    logger.info({ big: 'x'.repeat(10 * 1024 * 1024) }, 'too big');
    for (let i = 0; i < 1000; i++) logger.info({ i }, 'after');
  });
  const stats = await dest.close();
  const logs = await collector.waitForLogs(1000);
  expect(stats.sent + stats.dropped + stats.lost).toBe(1001);
  expect(stats).toMatchObject({ sent: 1000, dropped: 1, lost: 0 });
  const want = { traceId: ids.traceId, traceSegmentId: ids.segmentId, spanId: ids.spanId };
  expect(logs.map((l) => l.traceContext)).toEqual(logs.map(() => want));
  server.end();
});
