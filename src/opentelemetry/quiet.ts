import type { Context } from '@opentelemetry/api';

/**
 * The context key the SDK's core sets while tracing is suppressed (`suppressTracing`): our own
 * reporter's calls and the SDK's own exports run so. `createContextKey` is `Symbol.for` of its
 * description, so this is the same key as core's without importing core.
 */
const SUPPRESS_TRACING = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** True while OTel tracing is suppressed: nothing is injected then (as the W3C propagator does). */
export function isTracingSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING) === true;
}
