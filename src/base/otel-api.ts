import type * as OtelApi from '@opentelemetry/api';

let cached: typeof OtelApi | null | undefined;

/**
 * The application's `@opentelemetry/api` (an optional peer dependency), or undefined; loaded once.
 * Below every layer that reads the active OTel context (the log path's `traceContext` and the OTel
 * front-end), so neither imports the other for it.
 */
export function loadOtelApi(): typeof OtelApi | undefined {
  if (cached === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require('@opentelemetry/api') as typeof OtelApi;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
