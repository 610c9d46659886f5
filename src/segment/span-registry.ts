import type { RecordedSpan } from './span';

/**
 * Which RecordedSpan an OpenTelemetry SDK span is: set by the OTel span processor, read by the
 * propagator and by the log path's `traceContext` (which so needs nothing of the OTel front-end).
 * The recorded span knows its segment, and the segment its recorder (so whose it is, and its config).
 *
 * Stored on the SDK span under a symbol rather than in a WeakMap: a WeakMap entry per span costs
 * the garbage collector an ephemeron each, which showed as the largest item in the processor's
 * profile. A symbol key is invisible to `Object.keys`, JSON and the SDK, and dies with the span.
 */
const ENTRY = Symbol('skywalking-bridge.registered');

export function register(sdkSpan: object, recorded: RecordedSpan): void {
  try {
    (sdkSpan as { [ENTRY]?: RecordedSpan })[ENTRY] = recorded;
  } catch {
    // a frozen span object: it simply stays unregistered (a Local span with no SkyWalking identity)
  }
}

export function registered(sdkSpan: unknown): RecordedSpan | undefined {
  return typeof sdkSpan === 'object' && sdkSpan !== null ? (sdkSpan as { [ENTRY]?: RecordedSpan })[ENTRY] : undefined;
}
