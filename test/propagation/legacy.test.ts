/**
 * Legacy formats for migration (W3C traceparent, B3 single and multi, Jaeger uber-trace-id), checked
 * against the real libraries: OTel's propagators and jaeger-client's own tracer, both directions.
 */
import { createHash } from 'node:crypto';
import {
  ROOT_CONTEXT,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import * as opentracing from 'opentracing';
import { decodeB3Single, encodeB3Single } from '../../src/propagation/b3';
import { decodeUberTraceId } from '../../src/propagation/jaeger';
import { LEGACY_HEADERS, extractLegacy, injectLegacy } from '../../src/propagation/legacy';
import { decodeTraceparent } from '../../src/propagation/w3c';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jaegerClient = require('jaeger-client');

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

const getterOf = (h: Record<string, string>) => (name: string) => h[name];

function otelInject(
  p: { inject: (c: never, carrier: unknown, s: typeof defaultTextMapSetter) => void },
  traceId = TRACE,
  spanId = SPAN,
  sampled = true,
): Record<string, string> {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: false,
  });
  const carrier: Record<string, string> = {};
  p.inject(ctx as never, carrier, defaultTextMapSetter);
  return carrier;
}

function otelExtract(
  p: { extract: (c: never, carrier: unknown, g: typeof defaultTextMapGetter) => unknown },
  carrier: Record<string, string>,
) {
  return trace.getSpanContext(p.extract(ROOT_CONTEXT as never, carrier, defaultTextMapGetter) as never);
}

describe('W3C traceparent', () => {
  it("reads the OTel W3C propagator's header and writes one it reads", () => {
    const w3c = new W3CTraceContextPropagator();
    const headers = otelInject(w3c);
    expect(extractLegacy(getterOf(headers))).toEqual({
      format: 'w3c',
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      baggage: new Map(),
    });
    const ours: Record<string, string> = {};
    injectLegacy(['w3c'], { traceId: TRACE, spanId: SPAN, sampled: true }, (k, v) => (ours[k] = v));
    expect(ours).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(otelExtract(w3c, ours)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  });

  it.each([
    ['uppercase', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra part', `00-${TRACE}-${SPAN}-01-extra`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
  ])('rejects %s', (_n, value) => {
    expect(decodeTraceparent(value)).toBeUndefined();
  });

  it('accepts a future version with extra parts', () => {
    expect(decodeTraceparent(`01-${TRACE}-${SPAN}-00-what-ever`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: false,
    });
  });
});

describe('B3', () => {
  it("reads OTel's single and multi B3 headers and writes ones they read", () => {
    const single = new B3Propagator();
    const multi = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    expect(extractLegacy(getterOf(otelInject(single)))).toMatchObject({
      format: 'b3',
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    });
    expect(extractLegacy(getterOf(otelInject(multi, TRACE, SPAN, false)))).toMatchObject({
      format: 'b3multi',
      traceId: TRACE,
      spanId: SPAN,
      sampled: false,
    });

    for (const format of ['b3', 'b3multi'] as const) {
      const ours: Record<string, string> = {};
      injectLegacy([format], { traceId: TRACE, spanId: SPAN, sampled: true }, (k, v) => (ours[k] = v));
      expect(otelExtract(single, ours)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    }
  });

  it('pads 64-bit trace ids and handles sampling states', () => {
    expect(decodeB3Single('a3ce929d0e0e4736-00f067aa0ba902b7-d')).toEqual({
      traceId: `${'0'.repeat(16)}a3ce929d0e0e4736`,
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(decodeB3Single(`${TRACE}-${SPAN}-0-00f067aa0ba902b7`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: false,
    });
    expect(decodeB3Single('0')).toBeUndefined();
    expect(decodeB3Single(`${TRACE}-${SPAN}-2`)).toBeUndefined();
    expect(encodeB3Single({ traceId: TRACE, spanId: SPAN, sampled: true })).toBe(`${TRACE}-${SPAN}-1`);
  });
});

describe('Jaeger uber-trace-id', () => {
  it("reads OTel's Jaeger propagator and writes what it reads, with baggage", () => {
    const jaeger = new JaegerPropagator();
    let ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: false });
    ctx = propagation.setBaggage(ctx, propagation.createBaggage({ user: { value: 'ada lovelace' } }));
    const headers: Record<string, string> = {};
    jaeger.inject(ctx, headers, defaultTextMapSetter);
    expect(extractLegacy(getterOf(headers), () => Object.keys(headers))).toEqual({
      format: 'jaeger',
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      baggage: new Map([['user', 'ada lovelace']]),
    });

    const ours: Record<string, string> = {};
    injectLegacy(
      ['jaeger'],
      { traceId: TRACE, spanId: SPAN, sampled: true, baggage: [['user', 'ada lovelace']] },
      (k, v) => (ours[k] = v),
    );
    expect(ours).toEqual({ 'uber-trace-id': `${TRACE}:${SPAN}:0:1`, 'uberctx-user': 'ada%20lovelace' });
    const back = jaeger.extract(ROOT_CONTEXT, ours, defaultTextMapGetter);
    expect(trace.getSpanContext(back)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(propagation.getBaggage(back)?.getEntry('user')?.value).toBe('ada lovelace');
  });

  it("exchanges headers with jaeger-client's own tracer both ways", () => {
    const tracer = jaegerClient.initTracer(
      { serviceName: 'legacy', sampler: { type: 'const', param: 1 }, reporter: { logSpans: false } },
      { reporter: new jaegerClient.InMemoryReporter(), logger: { info: () => undefined, error: () => undefined } },
    );
    const span = tracer.startSpan('op');
    span.setBaggageItem('tenant', 'acme');
    const headers: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    const ctx = span.context();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const got = extractLegacy(getterOf(lower), () => Object.keys(lower))!;
    expect(got.format).toBe('jaeger');
    expect(got.traceId).toBe(ctx.toTraceId().padStart(32, '0'));
    expect(got.spanId).toBe(ctx.toSpanId().padStart(16, '0'));
    expect(got.baggage.get('tenant')).toBe('acme');
    span.finish();

    const ours: Record<string, string> = {};
    injectLegacy(
      ['jaeger'],
      { traceId: TRACE, spanId: SPAN, sampled: true, baggage: [['tenant', 'acme']] },
      (k, v) => (ours[k] = v),
    );
    const theirs = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, ours);
    expect(theirs.toTraceId().padStart(32, '0')).toBe(TRACE);
    expect(theirs.toSpanId().padStart(16, '0')).toBe(SPAN);
    expect(theirs.baggage.tenant).toBe('acme');
    tracer.close();
  });

  it('restores leading zeros, url-decodes, and rejects zero ids', () => {
    expect(decodeUberTraceId('1:2:0:1')).toEqual({
      traceId: `${'0'.repeat(31)}1`,
      spanId: `${'0'.repeat(15)}2`,
      sampled: true,
    });
    expect(decodeUberTraceId('abc%3Adef%3A0%3A0')).toEqual({
      traceId: 'abc'.padStart(32, '0'),
      spanId: 'def'.padStart(16, '0'),
      sampled: false,
    });
    expect(decodeUberTraceId('0:2:0:1')).toBeUndefined();
    expect(decodeUberTraceId('1:2:0')).toBeUndefined();
    expect(decodeUberTraceId('%zz')).toBeUndefined();
  });
});

it('prefers traceparent, then b3, then X-B3-*, then uber-trace-id; an invalid one falls through', () => {
  const all = {
    traceparent: `00-${TRACE}-${SPAN}-01`,
    b3: `${'1'.repeat(32)}-${'2'.repeat(16)}-1`,
    'x-b3-traceid': '3'.repeat(32),
    'x-b3-spanid': '4'.repeat(16),
    'uber-trace-id': `${'5'.repeat(32)}:${'6'.repeat(16)}:0:1`,
  };
  expect(extractLegacy(getterOf(all))?.format).toBe('w3c');
  expect(extractLegacy(getterOf({ ...all, traceparent: 'junk' }))?.format).toBe('b3');
  expect(extractLegacy(getterOf({ ...all, traceparent: 'junk', b3: '0' }))?.format).toBe('b3multi');
  expect(
    extractLegacy(
      getterOf({ 'uber-trace-id': all['uber-trace-id'], 'x-b3-traceid': 'zz', 'x-b3-spanid': '4'.repeat(16) }),
    )?.format,
  ).toBe('jaeger');
  expect(extractLegacy(getterOf({}))).toBeUndefined();
});

it('maps a non-hex SkyWalking trace id deterministically when writing legacy headers, and lists its headers', () => {
  const a: Record<string, string> = {};
  const b: Record<string, string> = {};
  injectLegacy(['w3c'], { traceId: 'java.1.2', spanId: SPAN, sampled: true }, (k, v) => (a[k] = v));
  injectLegacy(['w3c'], { traceId: 'java.1.2', spanId: SPAN, sampled: true }, (k, v) => (b[k] = v));
  expect(a).toEqual(b);
  // the first 32 hex digits of SHA-256 of the SkyWalking id (computed here independently)
  expect(decodeTraceparent(a.traceparent)).toEqual({
    traceId: createHash('sha256').update('java.1.2').digest('hex').slice(0, 32),
    spanId: SPAN,
    sampled: true,
  });
  expect(LEGACY_HEADERS).toEqual([
    'traceparent',
    'b3',
    'x-b3-traceid',
    'x-b3-spanid',
    'x-b3-parentspanid',
    'x-b3-sampled',
    'x-b3-flags',
    'uber-trace-id',
  ]);
});

it('writes a trace that arrived with a 64-bit id back in 64 bits for Jaeger and B3, 128 for W3C', () => {
  const headers: Record<string, string> = {};
  const set = (k: string, v: string): void => void (headers[k] = v);
  injectLegacy(
    ['jaeger', 'b3', 'b3multi', 'w3c'],
    { traceId: '0000000000000000fc3f11502dc330f4', spanId: '00000000000000a1', sampled: true },
    set,
  );
  expect(headers['uber-trace-id']).toBe('fc3f11502dc330f4:00000000000000a1:0:1');
  expect(headers.b3).toBe('fc3f11502dc330f4-00000000000000a1-1');
  expect(headers['X-B3-TraceId'] ?? headers['x-b3-traceid']).toBe('fc3f11502dc330f4');
  expect(headers.traceparent).toBe('00-0000000000000000fc3f11502dc330f4-00000000000000a1-01');
  // a full 128-bit id stays full everywhere
  injectLegacy(
    ['jaeger'],
    { traceId: '1000000000000000fc3f11502dc330f4', spanId: '00000000000000a1', sampled: true },
    set,
  );
  expect(headers['uber-trace-id']).toBe('1000000000000000fc3f11502dc330f4:00000000000000a1:0:1');
});
