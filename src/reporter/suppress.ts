/**
 * Run our own network calls with OpenTelemetry tracing suppressed, so an OTel gRPC instrumentation
 * in the same process does not trace the reporter. `@opentelemetry/api` is an optional peer: when it
 * is not installed, the function just runs.
 */
type Api = typeof import('@opentelemetry/api');

let api: Api | null | undefined;
let suppressKey: symbol | undefined;

function load(): Api | null {
  if (api === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      api = require('@opentelemetry/api') as Api;
      // the same key the SDK's core uses (createContextKey is Symbol.for of the description)
      suppressKey = api.createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    } catch {
      api = null;
    }
  }
  return api;
}

/** Call `fn` in a context where OTel instrumentations record nothing. */
export function withoutTracing<T>(fn: () => T): T {
  const a = load();
  if (!a || !suppressKey) return fn();
  return a.context.with(a.context.active().setValue(suppressKey, true), fn);
}
