/**
 * pino: the mixin adds the SkyWalking ids (OTel active context, an OpenTracing span passed in the call
 * or bound to a child), and the transport, loaded by a real pino into its worker thread by package
 * subpath, reports every record over real gRPC; each LogData decoded with skywalking-backend-js's classes.
 * Needs dist/ (npm run build).
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import pino from 'pino';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { MemoryReporter } from '../../src/reporter/memory';
import skywalkingTransport, {
  skywalkingDestination,
  skywalkingMixin,
  spanBindings,
  spanSerializers,
} from '../../src/entry/pino';
import { recordOfPino } from '../../src/pino/line-worker';
import { setLogger } from '../../src/base/diag';
import { JAVA_TRACE, type RawCollector, decodeLog, javaSw8, startRawCollector } from './support';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

let collector: RawCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

function otel() {
  const processor = new SkyWalkingSpanProcessor({ reporter: new MemoryReporter() });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' }),
    spanProcessors: [processor],
  });
  return { processor, tracer: provider.getTracer('test') };
}

it('the mixin adds the ids of the active OTel span (the Java trace id), of a span passed in the call, of a child bound to a span; nothing outside', async () => {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk, _e, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const logger = pino(
    { mixin: skywalkingMixin({ fields: 'all' }), serializers: spanSerializers, base: undefined, timestamp: false },
    out,
  );
  const { tracer } = otel();
  const ot = new SkyWalkingTracer({ serviceName: 'ot-svc', serviceInstance: 'ot-1', reporter: new MemoryReporter() });
  const parent = new SkyWalkingPropagator().extract(ROOT_CONTEXT, { sw8: javaSw8 }, defaultTextMapGetter);
  const server = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
    parent,
  );
  const otSpan = ot.startSpan('GET:/ot', {
    childOf: ot.extract(FORMAT_HTTP_HEADERS, { sw8: javaSw8 })!,
    tags: { 'span.kind': 'server' },
  }) as SkyWalkingSpan;
  const seg = otSpan.recorded.segment;
  context.with(trace.setSpan(parent, server), () => logger.info('in otel'));
  logger.info({ span: otSpan, n: 1 }, 'ot passed');
  logger.child(spanBindings(otSpan)).info('ot child');
  logger.info('outside');
  logger.info({ n: 2 }, 'outside with an object'); // pino assigns into the mixin's result: never a shared one
  pino(
    { mixin: skywalkingMixin({ fields: 'ids' }), serializers: spanSerializers, base: undefined, timestamp: false },
    out,
  ).info({ span: otSpan }, 'ids only');
  const packed = pino(
    { mixin: skywalkingMixin(), serializers: spanSerializers, base: undefined, timestamp: false },
    out,
  );
  packed.info({ span: otSpan }, 'packed by default');
  context.with(trace.setSpan(parent, server), () => packed.info('packed otel'));
  packed.info('packed outside');
  const otelSeg = (await import('../../src/entry/index')).traceContext(server)!.segmentId;
  const otPacked = `${JAVA_TRACE}|${seg.segmentId}|0|ot-svc|ot-1|GET:/ot`;
  const otelPacked = `${JAVA_TRACE}|${otelSeg}|0|orders|orders-1|GET:/orders`;
  expect(lines).toEqual([
    {
      level: 30,
      sw_ctx: otelPacked,
      trace_id: JAVA_TRACE,
      segment_id: otelSeg,
      span_id: 0,
      sw_service: 'orders',
      sw_instance: 'orders-1',
      sw_endpoint: 'GET:/orders',
      msg: 'in otel',
    },
    {
      level: 30,
      sw_ctx: otPacked,
      trace_id: JAVA_TRACE,
      segment_id: seg.segmentId,
      span_id: 0,
      sw_service: 'ot-svc',
      sw_instance: 'ot-1',
      sw_endpoint: 'GET:/ot',
      n: 1,
      msg: 'ot passed',
    },
    // the child's bindings: the carrier (the mixin finds no span, and writes nothing)
    { level: 30, sw_ctx: otPacked, msg: 'ot child' },
    { level: 30, msg: 'outside' },
    { level: 30, n: 2, msg: 'outside with an object' },
    { level: 30, sw_ctx: otPacked, trace_id: JAVA_TRACE, segment_id: seg.segmentId, span_id: 0, msg: 'ids only' },
    { level: 30, sw_ctx: otPacked, msg: 'packed by default' },
    { level: 30, sw_ctx: otelPacked, msg: 'packed otel' },
    { level: 30, msg: 'packed outside' },
  ]);
  server.end();
  otSpan.finish();
});

it.each(['transport', 'destination'])(
  "the %s (skywalking-bridge/pino in pino's worker, or skywalkingDestination's own worker, in an application process) reports every record: ids, endpoint, level names, logger, JSON/text body, error tags; the level filter; the app thread loads no gRPC",
  async (path) => {
    collector = await startRawCollector();
    const app = spawn(process.execPath, [join(__dirname, 'fixtures', 'pino-app.js')], {
      // every record must arrive: the exit flush's deadline (3 s by default) is one for a hang here
      env: { ...process.env, COLLECTOR: collector.address, SW8: javaSw8, LOG_PATH: path, CLOSE_TIMEOUT_MS: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    app.stdout.on('data', (d: Buffer) => (out += d));
    app.stderr.on('data', (d: Buffer) => (out += d));
    const before = Date.now();
    try {
      const [code] = await once(app, 'exit');
      expect(code, out).toBe(0);
    } finally {
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    const after = Date.now();
    const expected = JSON.parse(out.split('\n')[0]!) as {
      otel: { segmentId: string; traceId: string };
      ot: { segmentId: string; traceId: string };
      stack: string;
      grpcLoaded: boolean;
    };
    expect(expected.grpcLoaded).toBe(false);
    expect(expected.otel.traceId).toBe(JAVA_TRACE);
    const logs = collector.logs.map(decodeLog); // all arrived: pino flushes the transport before the process exits
    for (const l of logs) {
      expect(l.timestamp).toBeGreaterThanOrEqual(before);
      expect(l.timestamp).toBeLessThanOrEqual(after);
    }
    const strip = ({ timestamp: _t, ...rest }: (typeof logs)[number]) => rest;
    /** A text record at info of the service, in the incoming trace's first span or in none. */
    const infoRecord = (content: string, traced: boolean) => ({
      service: 'orders',
      serviceInstance: 'orders-1',
      endpoint: traced ? 'GET:/orders' : '',
      bodyCase: 'text',
      content,
      traceContext: traced ? { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 0 } : undefined,
      tags: { level: 'info', logger: 'orders-log' },
      tagKeys: ['level', 'logger'],
      layer: '',
    });
    expect(logs.map(strip)).toEqual([
      {
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: 'GET:/orders',
        bodyCase: 'json',
        content: '{"msg":"order created","orderId":7,"items":[1,2]}',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 0 },
        tags: { level: 'info', logger: 'orders-log' },
        tagKeys: ['level', 'logger'],
        layer: '',
      },
      {
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: 'GET:/orders',
        bodyCase: 'text',
        content: 'insert failed',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 1 },
        tags: {
          level: 'error',
          logger: 'orders-log',
          'error.kind': 'RangeError',
          'error.message': 'bad quantity',
          'error.stack': expected.stack.slice(0, 2048),
        },
        tagKeys: ['level', 'logger', 'error.kind', 'error.message', 'error.stack'],
        layer: '',
      },
      {
        service: 'ot-svc',
        serviceInstance: 'ot-1',
        endpoint: 'consume',
        bodyCase: 'text',
        content: 'ot record',
        traceContext: { traceId: expected.ot.traceId, traceSegmentId: expected.ot.segmentId, spanId: 0 },
        tags: { level: 'warn', logger: 'orders-log' },
        tagKeys: ['level', 'logger'],
        layer: '',
      },
      infoRecord('no trace', false),
      infoRecord('back in the trace', true),
      infoRecord('next turn', true),
      infoRecord('no trace again', false),
    ]);
  },
);

it.each(['transport', 'destination'])(
  'the %s with the collector away: the application logs, exits normally (code 0) and within closeTimeoutMs of its end',
  async (path) => {
    const dead = await startRawCollector();
    const address = dead.address;
    await dead.stop(); // nothing listens there now
    const app = spawn(process.execPath, [join(__dirname, 'fixtures', 'pino-app.js')], {
      env: { ...process.env, COLLECTOR: address, SW8: javaSw8, LOG_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // the app's end: the line it prints last (its start-up, slow on a busy machine, does not count)
    let ended = 0;
    app.stdout.on('data', (d: Buffer) => {
      out += d;
      if (ended === 0 && out.includes('\n')) ended = Date.now();
    });
    app.stderr.on('data', (d: Buffer) => (out += d));
    try {
      const [code] = await once(app, 'exit');
      expect(code, out).toBe(0);
    } finally {
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    expect(ended, out).toBeGreaterThan(0);
    expect(Date.now() - ended).toBeLessThan(9000); // at most closeTimeoutMs (3 s) at exit, not pino's 10 s limit
    expect(JSON.parse(out.split('\n')[0]!).grpcLoaded).toBe(false);
  },
);

it('the transport takes the keys pino adds to its options ($context, pinoWillSendConfig) without a warning; an unknown key of the user is still warned about', async () => {
  const lines: string[] = [];
  setLogger({
    error: (m) => lines.push(`error ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    info: (m) => lines.push(`info ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  });
  try {
    const stream = (await skywalkingTransport({
      reporter: 'none',
      serviceName: 'orders',
      $context: { messageKey: 'msg' },
      pinoWillSendConfig: true,
      pinoMadeUpOption: 1,
    } as never)) as Writable;
    const closed = once(stream, 'close');
    stream.end();
    await closed;
  } finally {
    setLogger(undefined);
  }
  expect(lines).toEqual([
    'warn skywalking-bridge: unknown option `pinoMadeUpOption` is ignored; see the configuration table in the README for the option names.',
  ]);
});

it('a packed sw_ctx field is read back into the ids (an escaped | in the endpoint); a malformed one gives no trace context and stays data', () => {
  expect(recordOfPino({ level: 40, time: 5, sw_ctx: 'T1|S1|3|svc|inst|GET:/a\\|b', msg: 'm', n: 1 })).toEqual({
    body: { msg: 'm', n: 1 },
    level: 'warn',
    logger: undefined,
    timestamp: 5,
    error: undefined,
    context: {
      traceId: 'T1',
      segmentId: 'S1',
      spanId: 3,
      service: 'svc',
      serviceInstance: 'inst',
      endpoint: 'GET:/a|b',
    },
    plainBody: true,
  });
  expect(recordOfPino({ level: 30, sw_ctx: 'T1|S1|3', msg: 'm' })).toMatchObject({
    context: null,
    body: { msg: 'm', sw_ctx: 'T1|S1|3' },
  });
  expect(recordOfPino({ level: 30, sw_ctx: 7, msg: 'm' }).context).toBeNull();
});

it('skywalkingDestination without the mixin: the ids of the OTel span active in the log call are read at the write and sent beside the line', async () => {
  collector = await startRawCollector();
  const app = spawn(process.execPath, [join(__dirname, 'fixtures', 'pino-app.js')], {
    // every record must arrive: the exit flush's deadline is one for a hang here
    env: {
      ...process.env,
      COLLECTOR: collector.address,
      SW8: javaSw8,
      LOG_PATH: 'destination',
      NO_MIXIN: '1',
      CLOSE_TIMEOUT_MS: '60000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  app.stdout.on('data', (d: Buffer) => (out += d));
  app.stderr.on('data', (d: Buffer) => (out += d));
  try {
    const [code] = await once(app, 'exit');
    expect(code, out).toBe(0);
  } finally {
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  const expected = JSON.parse(out.split('\n')[0]!) as { otel: { segmentId: string } };
  const logs = collector.logs.map(decodeLog);
  const inTrace = { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 0 };
  expect(
    logs.map((l) => ({ content: l.content, traceContext: l.traceContext, service: l.service, endpoint: l.endpoint })),
  ).toEqual([
    {
      content: '{"msg":"order created","orderId":7,"items":[1,2]}',
      traceContext: { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 0 },
      service: 'orders',
      endpoint: 'GET:/orders',
    },
    {
      content: 'insert failed',
      traceContext: { traceId: JAVA_TRACE, traceSegmentId: expected.otel.segmentId, spanId: 1 },
      service: 'orders',
      endpoint: 'GET:/orders',
    },
    // an OpenTracing span passed in the call is read by the mixin only: no ids without it
    { content: 'ot record', traceContext: undefined, service: 'orders', endpoint: '' },
    { content: 'no trace', traceContext: undefined, service: 'orders', endpoint: '' },
    // the ids go beside a line only where they change, and again at the start of each batch
    { content: 'back in the trace', traceContext: inTrace, service: 'orders', endpoint: 'GET:/orders' },
    { content: 'next turn', traceContext: inTrace, service: 'orders', endpoint: 'GET:/orders' },
    { content: 'no trace again', traceContext: undefined, service: 'orders', endpoint: '' },
  ]);
});

it('skywalkingDestination in-process: flush sends what waits, stats count it, a line after close is dropped and counted; bad options throw at construction', async () => {
  collector = await startRawCollector();
  const dest = skywalkingDestination({
    collectorAddress: collector.address,
    serviceName: 'inproc',
    flushIntervalMs: 50,
    // flush() waits up to this (+2 s): a deadline for a hang here, where the 3 s default let a
    // flush on two busy cores return before the worker had sent
    closeTimeoutMs: 60_000,
  });
  const logger = pino({ base: undefined }, dest);
  logger.info({ n: 1 }, 'one');
  logger.warn('two');
  await new Promise<void>((resolve) => dest.flush(() => resolve()));
  expect(await dest.stats()).toEqual({ queued: 0, sent: 2, dropped: 0, lost: 0, filtered: 0 });
  expect(collector.logs.map(decodeLog).map((l) => [l.service, l.content, l.tags.level])).toEqual([
    ['inproc', '{"msg":"one","n":1}', 'info'],
    ['inproc', 'two', 'warn'],
  ]);
  expect(await dest.close()).toEqual({ queued: 0, sent: 2, dropped: 0, lost: 0, filtered: 0 });
  logger.info('after close');
  expect(await dest.stats()).toEqual({ queued: 0, sent: 2, dropped: 1, lost: 0, filtered: 0 });
  expect(() => skywalkingDestination({ logBufferBytes: 10 })).toThrow(/logBufferBytes/);
});
