/**
 * The exporter-only mode (SkyWalkingTraceExporter behind the SDK's span processor) while the
 * collector is down: export still answers SUCCESS at once (nothing waits on the network), the
 * segments wait in the queue, and they arrive when the collector comes back on its address.
 */
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, it } from 'vitest';
import { type Collector, startCollector } from '../../src/collector';
import { setLogger } from '../../src/base/diag';
import { SpanLayer, SpanType } from '../../src/base/model';
import { SkyWalkingTraceExporter } from '../../src/opentelemetry/exporter';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  setLogger(undefined);
  for (const c of cleanup.splice(0)) await c();
});

it('while the collector is down: export answers SUCCESS at once, segments wait, and arrive when it is back', async () => {
  const logged: string[] = [];
  const capture = (m: string): void => void logged.push(m);
  setLogger({ error: capture, warn: capture, info: capture, debug: capture });
  // a collector's port, then the collector gone: the address the exporter is given is down
  const first = await startCollector({ grpcPort: 0, httpPort: false });
  const address = first.grpcAddress;
  await first.stop();

  const exporter = new SkyWalkingTraceExporter({
    collectorAddress: address,
    reportTimeoutMs: 500,
    flushIntervalMs: 50,
  });
  cleanup.push(() => exporter.shutdown());
  const results: number[] = [];
  const wrapped = {
    export: (
      spans: Parameters<SkyWalkingTraceExporter['export']>[0],
      done: Parameters<SkyWalkingTraceExporter['export']>[1],
    ) =>
      exporter.export(spans, (r) => {
        results.push(r.code);
        done(r);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'exp-down', 'service.instance.id': 'exp-1' }),
    spanProcessors: [new SimpleSpanProcessor(wrapped as never)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http');
  const server = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.route': '/items' },
    startTime: 1_700_000_000_000,
  });
  tracer
    .startSpan(
      'db',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': 'postgresql', 'server.address': 'pg', 'server.port': 5432 },
        startTime: 1_700_000_000_001,
      },
      trace.setSpan(ROOT_CONTEXT, server),
    )
    .end(1_700_000_000_002);
  server.end(1_700_000_000_003);
  // SimpleSpanProcessor exported each span as it ended; our answer came synchronously
  expect(results).toEqual([0, 0]);
  await exporter.forceFlush();
  expect(exporter.stats()).toMatchObject({ queued: 2, sent: 0, lost: 0, dropped: 0 });
  expect(logged.filter((m) => m.startsWith(`cannot reach the SkyWalking collector at ${address}: `))).toHaveLength(1);

  // the collector back on the same address (the one the exporter was configured with)
  let back: Collector | undefined;
  for (let attempt = 0; !back; attempt++) {
    try {
      back = await startCollector({ grpcPort: Number(address.split(':')[1]), httpPort: false });
    } catch (e) {
      if (attempt > 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const collector = back;
  cleanup.unshift(() => collector.stop());
  const segments = await collector.waitFor(
    () => (collector.segments().length === 2 ? collector.segments() : undefined),
    15_000,
  );
  const spans = segments.flatMap((s) =>
    s.spans.map((x) => [
      s.service,
      s.serviceInstance,
      x.operationName,
      x.spanType,
      x.spanLayer,
      x.peer,
      x.startTime,
      x.endTime,
    ]),
  );
  expect(spans.sort()).toEqual(
    [
      ['exp-down', 'exp-1', 'GET:/items', SpanType.Entry, SpanLayer.Http, '', 1_700_000_000_000, 1_700_000_000_003],
      ['exp-down', 'exp-1', 'db', SpanType.Exit, SpanLayer.Database, 'pg:5432', 1_700_000_000_001, 1_700_000_000_002],
    ].sort(),
  );
  await collector.waitFor(() => exporter.stats().sent === 2, 5000);
  expect(exporter.stats()).toMatchObject({ queued: 0, sent: 2, lost: 0, dropped: 0 });
});
