import type * as OtelApi from '@opentelemetry/api';
import { ConfigError } from '../base/config';
import { loadOtelApi } from '../base/otel-api';

/** The API, or a ConfigError telling what to install (constructors only). */
export function requireOtelApi(what: string): typeof OtelApi {
  const api = loadOtelApi();
  if (!api)
    throw new ConfigError(
      `skywalking-bridge: ${what} needs the \`@opentelemetry/api\` package: run \`npm install @opentelemetry/api\`.`,
    );
  return api;
}

/** ExportResultCode of @opentelemetry/core, without importing it at runtime. */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;

/** OTel SpanKind values. */
export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;

/** SpanStatusCode.ERROR. */
export const STATUS_ERROR = 2;
