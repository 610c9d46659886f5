/**
 * Early endpoint naming for log records (see src/logs/route-endpoint.ts): the HTTP instrumentation
 * puts an RPC metadata object (`{ type: 'http', span, route }`, @opentelemetry/core's
 * `getRPCMetadata`) in the server span's context; a web framework's instrumentation (Express 4 and
 * 5) sets its `route` when a route matches, before the handler runs. The entry span recorded for
 * that server span is named from it by the same rule as when the span ends (`operationNameOf`), so
 * the segment's endpoint is its final one while the request is handled.
 */
import { setRouteNamer } from '../logs/route-endpoint';
import { SpanType } from '../base/model';
import { registered } from '../segment/span-registry';
import { type EndpointNamer, operationNameOf } from './attributes';
import type { ReadableSpanLike } from './types';

/** @opentelemetry/core's context key (`createContextKey` makes it with `Symbol.for`). */
const RPC_METADATA = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

interface RpcMetadata {
  type?: unknown;
  route?: unknown;
  span?: unknown;
}

/** The route each metadata object was last named from: a request's lines cost a compare. */
const namedFrom = new WeakMap<object, string>();
/** The `endpointName` option of each recorder's span processor. */
const namers = new WeakMap<object, EndpointNamer>();

/** The span processor's `endpointName`, for its recorder's entry spans. */
export function setEndpointNamer(recorder: object, fn: EndpointNamer): void {
  namers.set(recorder, fn);
}

function nameFromRoute(context: unknown): void {
  const md = (context as { getValue?(key: symbol): unknown }).getValue?.(RPC_METADATA) as RpcMetadata | undefined;
  if (!md || typeof md !== 'object' || md.type !== 'http') return;
  const route = md.route;
  if (typeof route !== 'string' || route === '' || namedFrom.get(md) === route) return;
  namedFrom.set(md, route);
  const entry = registered(md.span);
  if (!entry || entry.type !== SpanType.Entry || entry.finished) return;
  const name = operationNameOf(
    md.span as ReadableSpanLike,
    SpanType.Entry,
    route,
    namers.get(entry.segment.recorder as object),
  );
  if (name !== '') entry.operationName = name;
}

setRouteNamer(nameFromRoute);
