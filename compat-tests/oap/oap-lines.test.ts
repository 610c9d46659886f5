/**
 * The line reporter's lines in a real OAP 10.1.0. The same application (test/forward/fixtures/
 * line-app.js, OpenTracing; then line-mixed-app.js, one request across OpenTracing, OpenTelemetry
 * and pino) runs three times under three service names: reporting over gRPC directly, writing
 * lines that are POSTed to the OAP's HTTP receiver as they are (/v3/segments, /v3/logs,
 * /v3/management/reportProperties), and writing lines to a file that `skywalking-bridge forward`
 * sends over gRPC. `queryTrace` must show the same trace each time (every span, ref, tag, log);
 * the text lines with `[trace_id=…]`, forwarded with the bracket preset, are found by `queryLogs`
 * with `relatedTrace`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLine } from '../../src/protocol/line-parse';
import { LINE_MIXED_APP, messagesOf, runLineApp, startForward } from '../../test/forward/support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startOap, duration } = require('./oap.js') as typeof import('./oap.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface GqlSpan {
  traceId: string;
  segmentId: string;
  spanId: number;
  parentSpanId: number;
  serviceCode: string;
  endpointName: string;
  type: string;
  peer: string;
  component: string;
  layer: string;
  isError: boolean;
  refs: Array<{ parentSpanId: number; type: string }>;
  tags: Array<{ key: string; value: string }>;
  logs: Array<{ data: Array<{ key: string; value: string }> }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const b64 = (name: string): string => Buffer.from(name).toString('base64');
const SPAN_FIELDS =
  'traceId segmentId spanId parentSpanId serviceCode endpointName type peer component layer isError refs { parentSpanId type } tags { key value } logs { data { key value } }';

describe('lines in a real SkyWalking OAP 10.1.0', () => {
  let oap: Awaited<ReturnType<typeof startOap>>;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'swb-oap-lines-'));

  beforeAll(async () => {
    oap = await startOap();
  }, 300_000);

  afterAll(async () => {
    await oap?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 180_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const got = await fn().catch(() => undefined);
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; OAP log: ${oap.logPath}`);
      await sleep(2000);
    }
  }

  /** The traces of several services, polled together; a failure names every one that did not come. */
  type Trace = { traceId: string; spans: string[] };
  async function tracesOf(services: [string, string, string], count: number): Promise<[Trace, Trace, Trace]> {
    const got = await Promise.allSettled(services.map((s) => traceOf(s, count)));
    const missing = services.filter((_, i) => got[i]!.status === 'rejected');
    if (missing.length > 0)
      throw new Error(`no trace of ${count} spans for ${missing.join(', ')} (of ${services.join(', ')})`);
    const [a, b, c] = got.map((g) => (g as PromiseFulfilledResult<Trace>).value);
    return [a!, b!, c!];
  }

  /** The spans of the one trace of `service` (once it has `count`), in a form without ids and times. */
  async function traceOf(service: string, count = 3): Promise<{ traceId: string; spans: string[] }> {
    return poll(`the trace of ${service}`, async () => {
      const data = await oap.graphql(
        `query($c: TraceQueryCondition) { queryBasicTraces(condition: $c) { traces { traceIds } } }`,
        {
          c: {
            serviceId: `${b64(service)}.1`,
            queryDuration: duration(started - 60_000, Date.now() + 60_000),
            traceState: 'ALL',
            queryOrder: 'BY_START_TIME',
            paging: { pageNum: 1, pageSize: 20 },
          },
        },
      );
      // one entry per segment: the OpenTracing and the OpenTelemetry segment share the trace
      const ids = [
        ...new Set((data.queryBasicTraces.traces as Array<{ traceIds: string[] }>).map((t) => t.traceIds[0]!)),
      ];
      if (ids.length !== 1) return undefined;
      const trace = await oap.graphql(`query($id: ID!) { queryTrace(traceId: $id) { spans { ${SPAN_FIELDS} } } }`, {
        id: ids[0],
      });
      const spans = trace.queryTrace.spans as GqlSpan[];
      if (spans.length !== count) return undefined;
      return {
        traceId: ids[0]!,
        spans: spans
          .map((s) =>
            JSON.stringify({
              service: s.serviceCode === service ? '<service>' : s.serviceCode,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId,
              endpoint: s.endpointName,
              type: s.type,
              peer: s.peer,
              component: s.component,
              layer: s.layer,
              isError: s.isError,
              refs: s.refs,
              tags: s.tags,
              logs: s.logs,
            }),
          )
          .sort(),
      };
    });
  }

  interface GqlLog {
    content: string;
    tags: unknown;
    serviceName: string;
    serviceInstanceName: string;
    endpointName: string;
  }

  async function logsOf(traceId: string, expected: number): Promise<GqlLog[]> {
    return poll(`${expected} logs of ${traceId}`, async () => {
      const data = await oap.graphql(
        `query($c: LogQueryCondition) { queryLogs(condition: $c) { logs { content tags { key value } serviceName serviceInstanceName endpointName } } }`,
        { c: { relatedTrace: { traceId }, paging: { pageNum: 1, pageSize: 50 } } },
      );
      const logs = data.queryLogs.logs as GqlLog[];
      return logs.length >= expected ? logs : undefined;
    });
  }

  async function post(path: string, body: string): Promise<number> {
    const res = await fetch(`${oap.restUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.text();
    return res.status;
  }

  it('shows the same trace reported over gRPC, POSTed as lines, and forwarded from a file', async () => {
    const env = { SEGMENTS: '1', SPANS: '3' };
    await runLineApp({
      ...env,
      SERVICE: 'lines-grpc',
      REPORTER: 'grpc',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: oap.grpcAddress,
      // an OAP that has just started can take a while to answer: the app waits for it at shutdown
      // (60 s, not the default 10 s) instead of counting its one segment lost
      SW_AGENT_TRACE_TIMEOUT: '60000',
    });

    // the lines, POSTed as they are written (a JSON array of them per endpoint)
    const posted = await runLineApp({ ...env, SERVICE: 'lines-http' });
    const kinds = (kind: string): string[] => posted.split('\n').filter((l) => parseLine(l).kind === kind);
    expect(await post('/v3/segments', `[${kinds('segment').join(',')}]`)).toBe(200);
    expect(await post('/v3/logs', `[${kinds('log').join(',')}]`)).toBe(200);
    expect(await post('/v3/management/reportProperties', kinds('properties')[0]!)).toBe(200);

    // the app's whole stdout (its own lines too) in a file, read by forward
    const file = join(dir, 'app.log');
    const forwardedText = await runLineApp({ ...env, SERVICE: 'lines-forward' });
    writeFileSync(file, forwardedText);
    const forward = startForward([
      '--file',
      file,
      '--no-follow',
      '--stats',
      '--collector',
      oap.grpcAddress,
      '--text-pattern',
      'bracket',
      '--service',
      'lines-forward',
    ]);
    expect(await forward.exited).toBe(0);
    expect(forward.lastStats()).toMatchObject({ segments: 1, logs: 2, textLogs: 1, foreign: 2, invalid: 0 });

    const [direct, viaHttp, viaForward] = await tracesOf(['lines-grpc', 'lines-http', 'lines-forward'], 3);
    expect(direct.spans.length).toBe(3);
    expect(viaHttp.spans).toEqual(direct.spans);
    expect(viaForward.spans).toEqual(direct.spans);
    expect(viaHttp.traceId).toBe(messagesOf(posted).segments[0]!.traceId);

    // the log record POSTed as a line, by its trace
    const httpLogs = await logsOf(viaHttp.traceId, 1);
    expect(httpLogs.map((l) => l.content)).toEqual(['order 0 paid']);
    // the text line with [trace_id=…] and the record, forwarded
    const forwardedLogs = await logsOf(viaForward.traceId, 2);
    const contents = forwardedLogs.map((l) => l.content).sort();
    expect(contents).toEqual([
      `${contents[0]!.slice(0, 19)} orders.go:119: [INFO] [trace_id=${viaForward.traceId}] order 0`,
      'order 0 paid',
    ]);
    expect(contents[0]).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d orders/);
  }, 400_000);

  it('shows one request across OpenTracing, OpenTelemetry and pino the same over gRPC, POSTed and forwarded', async () => {
    await runLineApp(
      {
        SERVICE: 'mixed-grpc',
        REPORTER: 'grpc',
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: oap.grpcAddress,
        SW_AGENT_TRACE_TIMEOUT: '60000',
      },
      LINE_MIXED_APP,
    );

    const posted = await runLineApp({ SERVICE: 'mixed-http' }, LINE_MIXED_APP);
    const kinds = (kind: string): string[] => posted.split('\n').filter((l) => parseLine(l).kind === kind);
    // the OpenTracing and the OpenTelemetry segment; the OpenTracing record and pino's two
    expect(kinds('segment').length).toBe(2);
    expect(kinds('log').length).toBe(3);
    expect(await post('/v3/segments', `[${kinds('segment').join(',')}]`)).toBe(200);
    expect(await post('/v3/logs', `[${kinds('log').join(',')}]`)).toBe(200);
    expect(await post('/v3/management/reportProperties', kinds('properties')[0]!)).toBe(200);

    const file = join(dir, 'mixed.log');
    writeFileSync(file, await runLineApp({ SERVICE: 'mixed-forward' }, LINE_MIXED_APP));
    const forward = startForward(['--file', file, '--no-follow', '--stats', '--collector', oap.grpcAddress]);
    expect(await forward.exited).toBe(0);
    expect(forward.lastStats()).toMatchObject({ segments: 2, logs: 3, foreign: 2, invalid: 0 });

    // Entry and Exit (OpenTracing), the callee's Entry and its Local span with the event (OpenTelemetry)
    const [direct, viaHttp, viaForward] = await tracesOf(['mixed-grpc', 'mixed-http', 'mixed-forward'], 4);
    expect(direct.spans.map((s) => JSON.parse(s) as { endpoint: string; refs: unknown[] })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          endpoint: 'POST /charge',
          type: 'Entry',
          refs: [{ parentSpanId: 1, type: 'CROSS_PROCESS' }],
        }),
        expect.objectContaining({ endpoint: 'debit card', type: 'Local' }),
        expect.objectContaining({ endpoint: 'GET /orders/7', type: 'Entry' }),
        expect.objectContaining({ endpoint: 'POST /charge', type: 'Exit', peer: 'payments:8080' }),
      ]),
    );
    expect(viaHttp.spans).toEqual(direct.spans);
    expect(viaForward.spans).toEqual(direct.spans);

    // the records of the trace: the same three each way, under the same spans
    const logView = async (t: { traceId: string }, service: string): Promise<string[]> =>
      (await logsOf(t.traceId, 3))
        .map((l) =>
          JSON.stringify({
            service: l.serviceName === service ? '<service>' : l.serviceName,
            instance: l.serviceInstanceName === `${service}-1` ? '<instance>' : l.serviceInstanceName,
            endpoint: l.endpointName,
            content: l.content,
            tags: l.tags,
          }),
        )
        .sort();
    const directLogs = await logView(direct, 'mixed-grpc');
    expect(directLogs.map((l) => (JSON.parse(l) as { content: string }).content).sort()).toEqual([
      'charge 7 done',
      'order 7 paid',
      'order 7 read',
    ]);
    expect(await logView(viaHttp, 'mixed-http')).toEqual(directLogs);
    expect(await logView(viaForward, 'mixed-forward')).toEqual(directLogs);
  }, 400_000);
});

/* eslint-disable @typescript-eslint/no-require-imports */
const { startBroker } = require('../kafka/broker.js') as {
  startBroker(o?: object): Promise<{ bootstrap: string; destroy(): Promise<void> }>;
};
const { kafkaOapConfigDir } = require('../kafka/oap-config.js') as { kafkaOapConfigDir(): string };
/* eslint-enable @typescript-eslint/no-require-imports */
const hasKcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).status === 0;

// a shipper that produces to Kafka: the log lines, as the app wrote them, through Debian's kcat
// onto skywalking-logs-json, read by the OAP's own kafka-fetcher (enableNativeJsonLog)
describe.runIf(hasKcat || Boolean(process.env.CI))('log lines on skywalking-logs-json, read by the OAP', () => {
  const NAMESPACE = 'swl';
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let oap: Awaited<ReturnType<typeof startOap>>;

  beforeAll(async () => {
    broker = await startBroker({ heap: '256m' });
    oap = await startOap({
      configDir: kafkaOapConfigDir(),
      env: { SW_KAFKA_FETCHER_SERVERS: broker.bootstrap, SW_NAMESPACE: NAMESPACE },
    });
  }, 400_000);

  afterAll(async () => {
    await oap?.stop();
    await broker?.destroy();
  }, 60_000);

  it('finds each record by its trace with queryLogs', async () => {
    const written = await runLineApp({ SEGMENTS: '3', SPANS: '1', SERVICE: 'lines-kafka' });
    const logLines = written.split('\n').filter((l) => parseLine(l).kind === 'log');
    expect(logLines.length).toBe(3);
    const kcat = spawnSync('kcat', ['-P', '-b', broker.bootstrap, '-t', `${NAMESPACE}-skywalking-logs-json`], {
      input: `${logLines.join('\n')}\n`,
      encoding: 'utf8',
    });
    expect(kcat.status).toBe(0);
    for (const s of messagesOf(written).segments) {
      const deadline = Date.now() + 120_000;
      let contents: string[] = [];
      while (Date.now() < deadline) {
        const data = await oap.graphql(
          `query($c: LogQueryCondition) { queryLogs(condition: $c) { logs { content serviceName } } }`,
          { c: { relatedTrace: { traceId: s.traceId }, paging: { pageNum: 1, pageSize: 10 } } },
        );
        contents = (data.queryLogs.logs as Array<{ content: string; serviceName: string }>).map(
          (l) => `${l.serviceName} ${l.content}`,
        );
        if (contents.length > 0) break;
        await sleep(2000);
      }
      const n = /\/orders\/(\d+)/.exec(s.spans[0]!.operationName)![1];
      expect(contents).toEqual([`lines-kafka order ${n} paid`]);
    }
  });
});
