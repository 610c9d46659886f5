/**
 * The log part of the zero-code start (src/entry/register.ts): OpenTelemetry's pino and winston
 * instrumentations configured to stamp SkyWalking's ids and not to send records themselves
 * (src/logs/otel-log-instrumentations.ts), and the OTel Logs API reported to SkyWalking through
 * the register's span processor (same channel and identity), unless `OTEL_LOGS_EXPORTER` asks
 * for an OTLP exporter.
 */
import { autoInstrumentationsConfig } from '../logs/otel-log-instrumentations';
import { SkyWalkingLogRecordProcessor } from './log-processor';
import type { SkyWalkingSpanProcessor } from './processor';

/** `configs` for `getNodeAutoInstrumentations` with the log instrumentations' options added. */
export function withLogInstrumentations(configs: Record<string, object>): Record<string, object> {
  return { ...configs, ...autoInstrumentationsConfig() };
}

/** The NodeSDK's `logRecordProcessors`: SkyWalking's, through `spans`. */
export function skywalkingLogProcessors(spans: SkyWalkingSpanProcessor): SkyWalkingLogRecordProcessor[] {
  return [new SkyWalkingLogRecordProcessor({ via: spans })];
}
