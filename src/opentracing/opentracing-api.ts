import type * as OT from 'opentracing';
import { ConfigError } from '../base/config';

/**
 * The application's own copy of `opentracing` (an optional peer dependency), loaded once. When it
 * is missing, stand-in base classes let this package load; `SkyWalkingTracer` then refuses to be
 * constructed with a message saying to install it.
 */
function load(): typeof OT | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('opentracing') as typeof OT;
  } catch {
    return undefined;
  }
}

export const opentracing: typeof OT | undefined = load();

class MissingBase {
  constructor() {
    throw new ConfigError(
      'skywalking-bridge: SkyWalkingTracer needs the `opentracing` package: run `npm install opentracing`.',
    );
  }
}

export const TracerBase = (opentracing?.Tracer ?? MissingBase) as typeof OT.Tracer;
export const SpanBase = (opentracing?.Span ?? MissingBase) as typeof OT.Span;
export const SpanContextBase = (opentracing?.SpanContext ?? MissingBase) as typeof OT.SpanContext;

export const FORMAT_TEXT_MAP = opentracing?.FORMAT_TEXT_MAP ?? 'text_map';
export const FORMAT_HTTP_HEADERS = opentracing?.FORMAT_HTTP_HEADERS ?? 'http_headers';
export const FORMAT_BINARY = opentracing?.FORMAT_BINARY ?? 'binary';
export const REFERENCE_CHILD_OF = opentracing?.REFERENCE_CHILD_OF ?? 'child_of';
export const REFERENCE_FOLLOWS_FROM = opentracing?.REFERENCE_FOLLOWS_FROM ?? 'follows_from';
