/**
 * How OpenTelemetry's pino and winston instrumentations are configured beside SkyWalking (the
 * register does it; a tracing file passes `autoInstrumentationsConfig()` to
 * `getNodeAutoInstrumentations`). Left as they are, they stamp OTel's `trace_id`, `span_id` and
 * `trace_flags` into every record, and send every record to the OTel Logs API as well. Here:
 * - their `logHook` stamps SkyWalking's ids instead (`trace_id` the trace id SkyWalking shows,
 *   `segment_id`, `span_id`), so a line printed to stdout is found by the id the UI shows; no
 *   `trace_flags`. The reporters never read these stamps as ids (they come from the carrier or the
 *   active context) and leave them out of the body;
 * - their log sending is off: the records reach SkyWalking through our destination, transport or
 *   winston transport, once.
 */
import { idFieldsOf } from './fields';

/** The instrumentations' `logHook`: SkyWalking's ids in place of OTel's (none outside a recorded span). Never throws. */
export function stampSkyWalkingIds(span: unknown, record: Record<string, unknown>): void {
  try {
    // undefined, not delete: pino and winston leave undefined fields out of the line, and a delete
    // turns the record into a slow dictionary object for the rest of the serialization
    record.trace_flags = undefined;
    const f = idFieldsOf(span);
    if (!f) {
      record.trace_id = undefined;
      record.span_id = undefined;
      return;
    }
    record.trace_id = f.trace_id;
    if (!('segment_id' in record)) record.segment_id = f.segment_id;
    record.span_id = f.span_id;
  } catch {
    // a frozen record: left as it is
  }
}

const LOG_INSTRUMENTATION = Object.freeze({ logHook: stampSkyWalkingIds, disableLogSending: true });

/**
 * Options for `getNodeAutoInstrumentations(...)` (spread them in with your own):
 * `getNodeAutoInstrumentations({ ...autoInstrumentationsConfig(), '@opentelemetry/instrumentation-fs': { enabled: false } })`.
 */
export function autoInstrumentationsConfig(): Record<
  string,
  { logHook: typeof stampSkyWalkingIds; disableLogSending: boolean }
> {
  return {
    '@opentelemetry/instrumentation-pino': { ...LOG_INSTRUMENTATION },
    '@opentelemetry/instrumentation-winston': { ...LOG_INSTRUMENTATION },
  };
}
