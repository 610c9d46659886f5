'use strict';
// sw8 inject + extract together, per pair, for argv[2]:
//   ours-ot      our OpenTracing tracer: tracer.inject(exitSpan, HTTP_HEADERS) + tracer.extract
//   ours-codec   the codec alone: encodeSw8 + decodeSw8 from dist/propagation/sw8
//   backend-js   the official Node agent: ContextCarrier .value (encode) and ContextCarrier.from (decode)
//   otel-w3c     OTel's W3CTraceContextPropagator (@opentelemetry/core): inject a sampled span
//                context into a fresh object (traceparent), extract it into a context
//   otel-w3c-ts  the same with a one-entry tracestate (both headers)
// Prints { case, nsPerPair } (median of rounds).
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const impl = process.argv[2];
const N = process.env.BENCH_QUICK === '1' ? 50_000 : 200_000;
const ROUNDS = 7;

function setup() {
  if (impl === 'ours-ot') {
    const opentracing = require('opentracing');
    const { SkyWalkingTracer } = require(ROOT);
    const tracer = new SkyWalkingTracer({ serviceName: 'bench', serviceInstance: 'bench-1', reporter: 'none' });
    const root = tracer.startSpan('GET:/orders', { tags: { 'span.kind': 'server' } });
    const exit = tracer.startSpan('/backend', {
      childOf: root,
      tags: { 'span.kind': 'client', 'peer.hostname': '10.0.0.2', 'peer.port': 8080 },
    });
    return () => {
      const headers = {};
      tracer.inject(exit, opentracing.FORMAT_HTTP_HEADERS, headers);
      return tracer.extract(opentracing.FORMAT_HTTP_HEADERS, headers);
    };
  }
  if (impl === 'ours-codec') {
    const { encodeSw8, decodeSw8 } = require(join(ROOT, 'dist', 'propagation', 'sw8'));
    const ctx = {
      sample: 1,
      traceId: '3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7',
      segmentId: '9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d',
      spanId: 3,
      service: 'orders',
      instance: 'orders-1',
      endpoint: 'GET:/orders',
      address: '10.0.0.2:8080',
    };
    return () => decodeSw8(encodeSw8(ctx));
  }
  if (impl === 'backend-js') {
    const { ContextCarrier } = require('skywalking-backend-js/lib/trace/context/ContextCarrier');
    const ID = require('skywalking-backend-js/lib/trace/ID').default;
    const carrier = new ContextCarrier(new ID(), new ID(), 3, 'orders', 'orders-1', 'GET:/orders', '10.0.0.2:8080');
    return () => ContextCarrier.from({ sw8: carrier.value });
  }
  if (impl === 'otel-w3c' || impl === 'otel-w3c-ts') {
    const api = require('@opentelemetry/api');
    const { W3CTraceContextPropagator, TraceState } = require('@opentelemetry/core');
    const propagator = new W3CTraceContextPropagator();
    const ctx = api.trace.setSpanContext(api.ROOT_CONTEXT, {
      traceId: '3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7',
      spanId: '9a8b7c6d5e4f4a3b',
      traceFlags: api.TraceFlags.SAMPLED,
      ...(impl === 'otel-w3c-ts' ? { traceState: new TraceState('vendor=orders-1') } : {}),
    });
    return () => {
      const headers = {};
      propagator.inject(ctx, headers, api.defaultTextMapSetter);
      return api.trace.getSpanContext(propagator.extract(api.ROOT_CONTEXT, headers, api.defaultTextMapGetter));
    };
  }
  throw new Error(`unknown sw8 case ${impl}`);
}

const pair = setup();
for (let i = 0; i < N; i++) if (!pair()) throw new Error('extract failed');
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const start = process.hrtime.bigint();
  let ok = 0;
  for (let i = 0; i < N; i++) if (pair()) ok++;
  rounds.push(Number(process.hrtime.bigint() - start) / N);
  if (ok !== N) throw new Error('extract failed');
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({ case: impl, nsPerPair: rounds[Math.floor(rounds.length / 2)] }));
