/**
 * The late OTel mapping (RecordedSpan.finalize, run when the segment is encoded) failing: the span
 * is still reported with the fields it had, the failure is counted and said once per interval with
 * the span's name and the error.
 */
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { diagnosticCounts, resetDiagnostics, setLogger } from '../../src/base/diag';
import { SpanLayer, SpanType } from '../../src/base/model';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { MemoryReporter } from '../../src/reporter/memory';

const lines: string[] = [];

beforeEach(() => {
  resetDiagnostics();
  lines.length = 0;
  const push = (m: string): void => void lines.push(m);
  setLogger({ error: push, warn: push, info: push, debug: push });
});

afterEach(() => {
  setLogger(undefined);
  resetDiagnostics();
});

it('a span whose attributes throw when mapped: reported with what it had, counted, one line with its name and the error', async () => {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('manual');
  const request = (i: number): void => {
    const server = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
      startTime: 1_700_000_000_000 + i,
    });
    const client = tracer.startSpan(
      'lookup',
      { kind: SpanKind.CLIENT, startTime: 1_700_000_000_001 + i },
      trace.setSpan(ROOT_CONTEXT, server),
    );
    // an attribute whose getter throws: the mapping reads it when the segment is encoded
    Object.defineProperty((client as unknown as { attributes: object }).attributes, 'db.system', {
      enumerable: true,
      get() {
        throw new Error(`attribute getter failed #${i}`);
      },
    });
    client.end(1_700_000_000_002 + i);
    server.end(1_700_000_000_003 + i);
  };
  request(0);
  expect(reporter.segments).toHaveLength(1);
  const spans = reporter.segments[0]!.spans;
  // the server span mapped in full; the client kept the name, kind and times it had at start
  expect(
    spans.map((s) => [s.spanId, s.parentSpanId, s.operationName, s.spanType, s.spanLayer, s.startTime, s.endTime]),
  ).toEqual([
    [1, 0, 'lookup', SpanType.Exit, SpanLayer.Unknown, 1_700_000_000_001, 1_700_000_000_002],
    [0, -1, 'GET:/orders', SpanType.Entry, SpanLayer.Http, 1_700_000_000_000, 1_700_000_000_003],
  ]);
  expect(processor.stats().recorder.finalizeErrors).toBe(1);
  expect(lines).toEqual([
    'mapping span "lookup" to SkyWalking failed (Error: attribute getter failed #0); it is reported with the fields it had (name, times, kind, ids) and counted in stats().recorder.finalizeErrors',
  ]);
  // the same failure again within the minute: counted, not said again
  request(1);
  request(2);
  expect(reporter.segments).toHaveLength(3);
  expect(processor.stats().recorder.finalizeErrors).toBe(3);
  expect(lines).toHaveLength(1);
  expect(diagnosticCounts()).toEqual({ 'segment.finalize': 3 });
  await processor.shutdown();
});
