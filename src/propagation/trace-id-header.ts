/**
 * The application's own trace-id header (`traceIdHeader`, e.g. `x-trace-id`): many teams pass a
 * home-made trace id between services and print it in their logs. A request with that header and
 * no sw8 (nor a legacy context) starts its SkyWalking trace under that very id; outgoing calls carry
 * the header on, beside sw8, with the SkyWalking trace id.
 */

const VALID = /^[\x21-\x2b\x2d-\x7e]{1,128}$/;

/** The header's value as a trace id: 1 to 128 visible ASCII characters, no comma (a joined list); else undefined. */
export function appTraceIdOf(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return VALID.test(v) ? v : undefined;
}
