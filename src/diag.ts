/**
 * Internal diagnostics: rate-limited, never thrown, never written to the working directory.
 * By default lines go to stderr prefixed `[skywalking-bridge]`; `setLogger` redirects them
 * (the OpenTelemetry front-end points it at `diag`). Each distinct key logs at most once per
 * interval and counts what it suppressed; the count is printed with the next line.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const stderrLogger: Logger = {
  error: (m) => process.stderr.write(`[skywalking-bridge] ERROR ${m}\n`),
  warn: (m) => process.stderr.write(`[skywalking-bridge] WARN ${m}\n`),
  info: (m) => process.stderr.write(`[skywalking-bridge] INFO ${m}\n`),
  debug: (m) => process.stderr.write(`[skywalking-bridge] DEBUG ${m}\n`),
};

let logger: Logger = stderrLogger;
let threshold = LEVELS[parseLevel(process.env.SW_AGENT_LOGGING_LEVEL) ?? 'warn'];

function parseLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return v === 'error' || v === 'warn' || v === 'info' || v === 'debug' ? v : undefined;
}

/** Replace where diagnostics go (for example OpenTelemetry's `diag`). */
export function setLogger(next: Logger | undefined): void {
  logger = next ?? stderrLogger;
}

/** Set the lowest level that is written. */
export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

interface Throttle {
  last: number;
  suppressed: number;
}

const throttles = new Map<string, Throttle>();
const MAX_KEYS = 1000;
const counts = new Map<string, number>();

/**
 * Log `message` at `level` unless the same `key` was logged within `intervalMs`.
 * Returns true when the line was written.
 */
export function log(level: LogLevel, key: string, message: string, intervalMs = 60_000): boolean {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (LEVELS[level] > threshold) return false;
  const now = Date.now();
  let t = throttles.get(key);
  if (t && now - t.last < intervalMs) {
    t.suppressed++;
    return false;
  }
  if (!t) {
    if (throttles.size >= MAX_KEYS) throttles.clear();
    t = { last: now, suppressed: 0 };
    throttles.set(key, t);
  }
  const suffix = t.suppressed > 0 ? ` (${t.suppressed} similar suppressed)` : '';
  t.last = now;
  t.suppressed = 0;
  try {
    logger[level](message + suffix);
  } catch {
    // a broken logger must not break the application
  }
  return true;
}

/** How many times each diagnostic key was raised (written or not), for tests and `stats()`. */
export function diagnosticCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

/** Forget throttling state and counts (tests). */
export function resetDiagnostics(): void {
  throttles.clear();
  counts.clear();
}
