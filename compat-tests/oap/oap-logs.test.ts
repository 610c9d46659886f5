/**
 * Logs in a real OAP 10.1.0 (log receiver + log analyzer with a rule that keeps every log, see
 * config/lal/default.yaml), asserted through GraphQL `queryLogs`:
 *   - the OpenTracing tracer's reportLog inside a trace that came in from a Java agent (the Java id);
 *   - winston with our transport, sharing the tracer's reporter;
 *   - the OTel Logs SDK with SkyWalkingLogRecordProcessor beside our span processor;
 *   - pino with our mixin and our transport in pino's worker, in a real application process;
 *   - a log outside any trace;
 *   - each log path (destination, mixin + transport, winston, the OTel Logs SDK) in an Express app
 *     under the zero-code start with the auto-instrumentations on, found by `relatedTrace` and the
 *     route's endpoint.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import winston from 'winston';
import { traceContext } from '../../src/logs/trace-context';
import { SkyWalkingLogRecordProcessor } from '../../src/opentelemetry/log-processor';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { SkyWalkingTransport, skywalkingFormat } from '../../src/entry/winston';
import { JAVA_TRACE, javaSw8 } from '../../test/logs/support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startOap, duration } = require('./oap.js') as typeof import('./oap.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface GqlLog {
  serviceName: string;
  serviceInstanceName: string;
  endpointName: string;
  traceId: string;
  timestamp: number;
  contentType: string;
  content: string;
  tags: Array<{ key: string; value: string }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LOG_FIELDS =
  'serviceName serviceInstanceName endpointName traceId timestamp contentType content tags { key value }';
const tagsOf = (l: GqlLog): Record<string, string> => Object.fromEntries(l.tags.map((t) => [t.key, t.value]));

describe('logs in a real SkyWalking OAP 10.1.0', () => {
  let oap: Awaited<ReturnType<typeof startOap>>;
  const contextManager = new AsyncLocalStorageContextManager();
  const started = Date.now();

  beforeAll(async () => {
    oap = await startOap();
    context.setGlobalContextManager(contextManager.enable());
  }, 300_000);

  afterAll(async () => {
    context.disable();
    await oap?.stop();
  }, 60_000);

  async function logsOf(
    relatedTrace: { traceId: string; segmentId?: string; spanId?: number },
    expected: number,
  ): Promise<GqlLog[]> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const data = await oap.graphql(
        `query($c: LogQueryCondition) { queryLogs(condition: $c) { errorReason logs { ${LOG_FIELDS} } } }`,
        {
          c: { relatedTrace, paging: { pageNum: 1, pageSize: 50 }, queryOrder: 'ASC' },
        },
      );
      const logs = data.queryLogs.logs as GqlLog[];
      if (logs.length >= expected || Date.now() > deadline) return [...logs].sort((a, b) => a.timestamp - b.timestamp);
      await sleep(2000);
    }
  }

  it('OpenTracing reportLog and winston: under the Java trace id, with segment, span, endpoint, tags; one outside any trace', async () => {
    const tracer = new SkyWalkingTracer({
      serviceName: 'log-ot',
      serviceInstance: 'log-ot-1',
      collectorAddress: oap.grpcAddress,
      flushIntervalMs: 100,
    });
    const logger = winston.createLogger({
      level: 'info',
      format: skywalkingFormat(),
      transports: [new SkyWalkingTransport({ via: tracer })],
    });
    const t = Date.now();
    const entry = tracer.startSpan('POST:/charge', {
      childOf: tracer.extract(FORMAT_HTTP_HEADERS, { sw8: javaSw8 })!,
      tags: { 'span.kind': 'server', component: 'http' },
    }) as SkyWalkingSpan;
    const exit = tracer.startSpan('bank', {
      childOf: entry,
      tags: { 'span.kind': 'client', 'peer.hostname': 'bank', 'peer.port': 443 },
    }) as SkyWalkingSpan;
    const segmentId = entry.recorded.segment.segmentId;
    tracer.reportLog({
      body: 'charging order 7',
      level: 'info',
      logger: 'payments',
      span: exit,
      timestamp: t,
      tags: { orderId: 7 },
    });
    logger.warn('card retry', { span: entry, attempt: 2, timestamp: t + 1 });
    tracer.reportLog({ body: 'outside any trace: nightly job', level: 'warn', logger: 'jobs', timestamp: t + 2 });
    exit.finish();
    entry.finish();
    await tracer.flush();
    expect(tracer.stats().logs).toMatchObject({ sent: 3, dropped: 0, lost: 0 });

    const logs = await logsOf({ traceId: JAVA_TRACE }, 2);
    expect(logs.map((l) => [l.serviceName, l.serviceInstanceName, l.endpointName, l.traceId, l.contentType])).toEqual([
      ['log-ot', 'log-ot-1', 'POST:/charge', JAVA_TRACE, 'TEXT'],
      ['log-ot', 'log-ot-1', 'POST:/charge', JAVA_TRACE, 'JSON'],
    ]);
    expect(logs.map((l) => l.timestamp)).toEqual([t, t + 1]);
    expect(logs[0]!.content).toBe('charging order 7');
    expect(tagsOf(logs[0]!)).toEqual({ level: 'info', logger: 'payments', orderId: '7' });
    expect(JSON.parse(logs[1]!.content)).toMatchObject({ message: 'card retry', attempt: 2 });
    expect(tagsOf(logs[1]!).level).toBe('warn');
    // found by their segment and span ids too
    expect((await logsOf({ traceId: JAVA_TRACE, segmentId, spanId: 1 }, 1)).map((l) => l.content)).toEqual([
      'charging order 7',
    ]);
    expect((await logsOf({ traceId: JAVA_TRACE, segmentId, spanId: 0 }, 1)).map((l) => l.content)).toEqual([
      '{"message":"card retry","attempt":2}',
    ]);

    // the log outside any trace is stored under its service
    // the log outside any trace is stored under its service (the OAP's id of a real service: base64(name).1)
    const serviceId = `${Buffer.from('log-ot').toString('base64')}.1`;
    let outside: GqlLog[] = [];
    for (let i = 0; i < 45 && outside.length === 0; i++) {
      const data = await oap.graphql(
        `query($c: LogQueryCondition) { queryLogs(condition: $c) { logs { ${LOG_FIELDS} } } }`,
        {
          c: {
            serviceId,
            queryDuration: duration(started - 60_000, Date.now() + 60_000),
            paging: { pageNum: 1, pageSize: 50 },
          },
        },
      );
      outside = (data.queryLogs.logs as GqlLog[]).filter((l) => l.content.startsWith('outside any trace'));
      if (outside.length === 0) await sleep(2000);
    }
    expect(outside.map((l) => [l.serviceName, l.traceId ?? '', l.endpointName ?? '', tagsOf(l).logger])).toEqual([
      ['log-ot', '', '', 'jobs'],
    ]);
    logger.close();
    await tracer.shutdown();
  });

  it('the OTel Logs SDK: SkyWalkingLogRecordProcessor beside the span processor, under the Java trace id', async () => {
    const spans = new SkyWalkingSpanProcessor({ collectorAddress: oap.grpcAddress, flushIntervalMs: 100 });
    const resource = resourceFromAttributes({ 'service.name': 'log-otel', 'service.instance.id': 'log-otel-1' });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [spans] });
    const loggers = new LoggerProvider({ resource, processors: [new SkyWalkingLogRecordProcessor({ via: spans })] });
    const sw8 = javaSw8.replace(/^1-[^-]+/, `1-${Buffer.from(`${JAVA_TRACE}9`).toString('base64')}`);
    const parent = new SkyWalkingPropagator().extract(ROOT_CONTEXT, { sw8 }, defaultTextMapGetter);
    const server = provider
      .getTracer('t')
      .startSpan(
        'GET',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/cart' } },
        parent,
      );
    const ids = traceContext(server)!;
    const t = Date.now();
    context.with(trace.setSpan(parent, server), () => {
      loggers
        .getLogger('cart')
        .emit({ body: 'cart loaded', severityText: 'INFO', timestamp: t, attributes: { items: 3 } });
    });
    server.end();
    await loggers.forceFlush();
    await spans.forceFlush();
    expect(ids.traceId).toBe(`${JAVA_TRACE}9`);
    const logs = await logsOf({ traceId: ids.traceId, segmentId: ids.segmentId, spanId: 0 }, 1);
    expect(
      logs.map((l) => [l.serviceName, l.serviceInstanceName, l.endpointName, l.traceId, l.content, l.timestamp]),
    ).toEqual([['log-otel', 'log-otel-1', 'GET:/cart', ids.traceId, 'cart loaded', t]]);
    expect(tagsOf(logs[0]!)).toMatchObject({ level: 'info', logger: 'cart', items: '3' });
    await loggers.shutdown();
    await provider.shutdown();
  });

  it('pino: our mixin and our transport (in pino worker) from a real application process', async () => {
    const app = spawn(process.execPath, [resolve(__dirname, '..', '..', 'test', 'logs', 'fixtures', 'pino-app.js')], {
      env: { ...process.env, COLLECTOR: oap.grpcAddress, SW8: javaSw8, OTEL_METRICS_EXPORTER: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    app.stdout.on('data', (d) => (out += d));
    app.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => app.on('exit', r));
    expect(code, err).toBe(0);
    const expected = JSON.parse(out.trim().split('\n').pop()!) as { otel: { traceId: string; segmentId: string } };
    expect(expected.otel.traceId).toBe(JAVA_TRACE);
    // the records in the incoming trace's segment (in the first span, or in its child for the
    // error): some written in the same millisecond, so compared by their message
    const logs = await logsOf({ traceId: JAVA_TRACE, segmentId: expected.otel.segmentId }, 4);
    const messageOf = (l: GqlLog): string =>
      l.contentType === 'JSON' ? (JSON.parse(l.content) as { msg: string }).msg : l.content;
    const byMessage = new Map(logs.map((l) => [messageOf(l), l]));
    expect(logs.map((l) => [messageOf(l), l.serviceName, l.endpointName, l.traceId, tagsOf(l).level]).sort()).toEqual(
      [
        ['order created', 'orders', 'GET:/orders', JAVA_TRACE, 'info'],
        ['insert failed', 'orders', 'GET:/orders', JAVA_TRACE, 'error'],
        ['back in the trace', 'orders', 'GET:/orders', JAVA_TRACE, 'info'],
        ['next turn', 'orders', 'GET:/orders', JAVA_TRACE, 'info'],
      ].sort(),
    );
    const created = byMessage.get('order created')!;
    expect(created.contentType).toBe('JSON');
    expect(JSON.parse(created.content)).toMatchObject({ msg: 'order created', orderId: 7, items: [1, 2] });
    expect(tagsOf(byMessage.get('insert failed')!)['error.kind']).toBe('RangeError');
  });

  it.each(['destination', 'transport', 'winston', 'otel-logs'])(
    'zero-code start with the auto-instrumentations, %s: the records under the handler span, found by relatedTrace and the endpoint GET:/orders/:id',
    async (path) => {
      const service = `auto-${path}`;
      const root = resolve(__dirname, '..', '..');
      const app = spawn(
        process.execPath,
        ['--require', 'skywalking-bridge/register', resolve(root, 'test', 'logs', 'fixtures', 'auto-app.js')],
        {
          cwd: root,
          env: {
            ...process.env,
            SW_AGENT_NAME: service,
            SW_AGENT_INSTANCE_NAME: `${service}-1`,
            SW_AGENT_COLLECTOR_BACKEND_SERVICES: oap.grpcAddress,
            SW_BRIDGE_FLUSH_INTERVAL: '100',
            OTEL_METRICS_EXPORTER: 'none',
            OTEL_LOGS_EXPORTER: '',
            LOG_PATH: path,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      app.stdout.on('data', (d) => (out += d));
      app.stderr.on('data', (d) => (out += d));
      try {
        while (!/listening on (\d+)/.test(out)) {
          if (app.exitCode !== null) throw new Error(`the app exited: ${out}`);
          await Promise.race([once(app.stdout, 'data'), once(app, 'exit')]);
        }
        const port = /listening on (\d+)/.exec(out)![1];
        const ids = (await (await fetch(`http://127.0.0.1:${port}/orders/7`)).json()) as {
          traceId: string;
          segmentId: string;
          spanId: number;
        };
        await fetch(`http://127.0.0.1:${port}/flush`);
        const endpointId = `${Buffer.from(service).toString('base64')}.1_${Buffer.from('GET:/orders/:id').toString('base64')}`;
        const deadline = Date.now() + 90_000;
        let logs: GqlLog[] = [];
        while (logs.length < 2 && Date.now() < deadline) {
          const data = await oap.graphql(
            `query($c: LogQueryCondition) { queryLogs(condition: $c) { errorReason logs { ${LOG_FIELDS} } } }`,
            {
              c: {
                relatedTrace: { traceId: ids.traceId, segmentId: ids.segmentId, spanId: ids.spanId },
                endpointId,
                paging: { pageNum: 1, pageSize: 50 },
                queryOrder: 'ASC',
              },
            },
          );
          logs = data.queryLogs.logs as GqlLog[];
          if (logs.length < 2) await sleep(2000);
        }
        const bodyOf = (l: GqlLog): string =>
          l.contentType === 'JSON'
            ? ((JSON.parse(l.content) as { msg?: string; message?: string }).msg ??
              (JSON.parse(l.content) as { message: string }).message)
            : l.content;
        // when they are not found: what the OAP holds for the trace alone, and what the app printed
        const why =
          logs.length < 2
            ? `app output: ${out}\nthe OAP's warnings: ${oap
                .log()
                .split('\n')
                .filter((l) => / (WARN|ERROR) /.test(l))
                .slice(-10)
                .join('\n')}\nthe trace's logs: ${JSON.stringify(
                (
                  await oap.graphql(
                    `query($c: LogQueryCondition) { queryLogs(condition: $c) { logs { ${LOG_FIELDS} } } }`,
                    { c: { relatedTrace: { traceId: ids.traceId }, paging: { pageNum: 1, pageSize: 50 } } },
                  )
                ).queryLogs.logs,
              )}`
            : '';
        expect(
          logs.map((l) => [bodyOf(l), l.serviceName, l.serviceInstanceName, l.endpointName, l.traceId]).sort(),
          why,
        ).toEqual([
          ['hostile', service, `${service}-1`, 'GET:/orders/:id', ids.traceId],
          ['order read', service, `${service}-1`, 'GET:/orders/:id', ids.traceId],
        ]);
        const read = logs.find((l) => bodyOf(l) === 'order read')!;
        if (path === 'otel-logs') expect(tagsOf(read).orderId).toBe('7');
        else
          expect(JSON.parse(read.content)).toEqual(
            path === 'winston' ? { message: 'order read', orderId: '7' } : { msg: 'order read', orderId: '7' },
          );
      } finally {
        app.kill('SIGTERM');
        if (app.exitCode === null) await once(app, 'exit');
      }
    },
    120_000,
  );
});
