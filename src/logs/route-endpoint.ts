/**
 * The endpoint a log record is filed under is its segment's endpoint as SkyWalking will show it:
 * the entry span's final name. Under OpenTelemetry an HTTP server span is named by its route only
 * when it ends, but the route is known before the handler runs (the web framework's
 * instrumentation writes it into the context's RPC metadata). The OpenTelemetry layer installs
 * here how to name the entry span from that route at once (`setRouteNamer`); the log paths call
 * `settleRouteEndpoint` with the context of the log call before they read the endpoint.
 */
let namer: ((context: unknown) => void) | undefined;

/** Installed by the OpenTelemetry span processor's module. */
export function setRouteNamer(fn: (context: unknown) => void): void {
  namer = fn;
}

/** Name the entry span of `context`'s request by its route, when one is known by now. Never throws. */
export function settleRouteEndpoint(context: unknown): void {
  if (namer === undefined || context === undefined || context === null) return;
  try {
    namer(context);
  } catch {
    // the endpoint stays as it is
  }
}
