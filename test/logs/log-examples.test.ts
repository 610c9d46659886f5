/**
 * The README's log examples (examples/docs/logs-*.js), run as written in real processes against the
 * embedded collector (port 0, its address passed by env): each record arrives under the span that
 * wrote it, with the endpoint its segment reports, and the body the example logged.
 */
import { join } from 'node:path';
import { type Collector, type StoredLog, startCollector } from '../../src/collector';
import { type SegmentObject, SpanType } from '../../src/base/model';
import { runProcess, startProcess } from '../support/spawn';

const ROOT = join(__dirname, '..', '..');
let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector.stop();
});

const env = (service: string): Record<string, string> => ({
  SW_AGENT_NAME: service,
  SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
  OTEL_LOGS_EXPORTER: '',
  PORT: '0',
  // the SIGTERM flush sends the segment: a report deadline for a hang (10 s by default)
  SW_AGENT_TRACE_TIMEOUT: '60000',
});

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Promise.race([collector.changed(), new Promise((r) => setTimeout(r, 200))]);
  }
}

/** The one record of `service` and the segment it names. */
async function recordOf(service: string): Promise<{ log: StoredLog; segment: SegmentObject }> {
  const log = await until(`a record of ${service}`, () => collector.logs().find((l) => l.service === service));
  const segment = await until(`the segment of ${service}'s record`, () =>
    collector.trace(log.traceContext!.traceId).find((s) => s.traceSegmentId === log.traceContext!.traceSegmentId),
  );
  expect(collector.logs().filter((l) => l.service === service)).toHaveLength(1);
  return { log, segment };
}

const entryOf = (s: SegmentObject) => s.spans.find((x) => x.spanType === SpanType.Entry) ?? s.spans[0]!;
const tags = (l: StoredLog) => Object.fromEntries(l.tags.map((t) => [t.key, t.value]));

it.each([
  ['zero-code + pino', ['--require', 'skywalking-bridge/register', join(ROOT, 'examples/docs/logs-zero-code-pino.js')]],
  [
    'a tracing file + pino',
    ['--require', join(ROOT, 'examples/docs/logs-tracing.js'), join(ROOT, 'examples/docs/logs-tracing-app.js')],
  ],
])('%s: the record of the route handler lands under its span, endpoint GET:/orders/:id', async (name, args) => {
  process.chdir(ROOT); // `--require skywalking-bridge/register` resolves from the package itself
  const service = `example-${name.startsWith('zero') ? 'zero-code' : 'tracing-file'}`;
  const app = await startProcess(process.execPath, args, env(service));
  try {
    const res = await fetch(`http://127.0.0.1:${app.port}/orders/7`);
    expect(await res.json()).toEqual({ id: '7' });
    // the record goes out on the log worker's flush interval while the app runs (the SIGTERM flush
    // would have to send it within its close deadline, which two busy cores can overrun)
    await until(`a record of ${service}`, () => collector.logs().find((l) => l.service === service));
  } finally {
    await app.stop();
  }
  const { log, segment } = await recordOf(service);
  const span = segment.spans.find((s) => s.spanId === log.traceContext!.spanId)!;
  expect(span.operationName).toBe('request handler - /orders/:id');
  expect(entryOf(segment).operationName).toBe('GET:/orders/:id');
  expect(log.endpoint).toBe('GET:/orders/:id');
  expect(log.contentType).toBe('JSON');
  expect(JSON.parse(log.content)).toEqual({ msg: 'order read', orderId: '7' });
  expect(tags(log)).toEqual({ level: 'info', logger: 'orders' });
});

it('OpenTracing + winston: the record lands under the span passed in the call; the printed line has its ids', async () => {
  const r = await runProcess(
    process.execPath,
    [join(ROOT, 'examples/docs/logs-opentracing-winston.js')],
    env('example-ot'),
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { log, segment } = await recordOf('example-ot');
  expect(log.traceContext).toEqual({ traceId: segment.traceId, traceSegmentId: segment.traceSegmentId, spanId: 0 });
  expect(log.endpoint).toBe('billing/charge');
  expect(JSON.parse(log.content)).toEqual({ message: 'charging order 7', orderId: 7 });
  expect(JSON.parse(r.stdout)).toEqual({
    level: 'info',
    message: 'charging order 7',
    orderId: 7,
    trace_id: segment.traceId,
    segment_id: segment.traceSegmentId,
    span_id: 0,
    sw_service: 'example-ot',
    sw_instance: segment.serviceInstance,
    sw_endpoint: 'billing/charge',
  });
});

it('the OTel Logs SDK: the record emitted in the active span lands under it', async () => {
  const r = await runProcess(process.execPath, [join(ROOT, 'examples/docs/logs-otel-sdk.js')], env('example-otel'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { log, segment } = await recordOf('example-otel');
  expect(log.traceContext).toEqual({ traceId: segment.traceId, traceSegmentId: segment.traceSegmentId, spanId: 0 });
  expect(log.endpoint).toBe('restock');
  expect([log.contentType, log.content]).toEqual(['TEXT', 'stock low']);
  expect(tags(log)).toEqual({ level: 'warn', logger: 'stock', sku: 'A-1' });
});
