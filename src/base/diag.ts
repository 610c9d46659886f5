/**
 * Internal diagnostics: rate-limited, never thrown, never written to the working directory.
 * By default lines go to stderr prefixed `[skywalking-bridge]`; `setLogger` redirects them
 * (the OpenTelemetry front-end points it at `diag`).
 *
 * A key names a condition ("recorder.nopeer"), never one occurrence of it: callers pass a fixed
 * string and put user data (an operation name, an error message) in the message and `example`.
 * Each key writes at most one line per interval. What it suppressed meanwhile is counted, and the
 * next line of that key says how many, with the first few distinct examples and how many more.
 * The state is bounded whatever the application does: at most MAX_KEYS keys (later ones share
 * one overflow entry), and per key a few numbers and at most MAX_EXAMPLES strings of at most
 * MAX_EXAMPLE_LENGTH characters.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * A message under the one `[skywalking-bridge]` prefix stderr lines carry: the library's name at
 * its start or after a colon (`skywalking-bridge: `, `skywalking-bridge/register: `, as messages
 * carry it for loggers without a prefix, such as OpenTelemetry's diag) is dropped, a subpath kept.
 */
export function onePrefix(message: string): string {
  return message.replace(/(^|: )skywalking-bridge(?:\/([\w-]+))?: /g, (_, lead: string, sub?: string) =>
    sub ? `${lead}${sub}: ` : lead,
  );
}

const stderrLogger: Logger = {
  error: (m) => process.stderr.write(`[skywalking-bridge] ERROR ${onePrefix(m)}\n`),
  warn: (m) => process.stderr.write(`[skywalking-bridge] WARN ${onePrefix(m)}\n`),
  info: (m) => process.stderr.write(`[skywalking-bridge] INFO ${onePrefix(m)}\n`),
  debug: (m) => process.stderr.write(`[skywalking-bridge] DEBUG ${onePrefix(m)}\n`),
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

/** One condition's state. */
interface Condition {
  /** Times raised, written or not. */
  count: number;
  /** When a line was last written (ms), or -Infinity before the first. */
  last: number;
  /** Times raised since that line and not written. */
  suppressed: number;
  /** The first few distinct examples among the suppressed ones. */
  examples: string[];
}

/** Keys tracked; a key past this many shares the OVERFLOW_KEY entry (a caller building keys from data). */
export const MAX_KEYS = 64;
export const OVERFLOW_KEY = 'diag.other';
export const MAX_EXAMPLES = 3;
export const MAX_EXAMPLE_LENGTH = 100;

const conditions = new Map<string, Condition>();

function conditionOf(key: string): Condition {
  let c = conditions.get(key);
  if (c === undefined) {
    const k = conditions.size < MAX_KEYS ? key : OVERFLOW_KEY;
    c = conditions.get(k);
    if (c === undefined) {
      c = { count: 0, last: -Infinity, suppressed: 0, examples: [] };
      conditions.set(k, c);
    }
  }
  return c;
}

/** Characters of a value a message shows (option values, ids, names); the rest is cut and counted. */
export const MAX_SHOWN = 120;

/** A value as a message shows it: whole up to `max` characters, else its start and its whole length. */
export function shown(value: string, max = MAX_SHOWN): string {
  return value.length <= max ? value : `${value.slice(0, max)}... (${value.length} characters)`;
}

/** A quoted value already cut by `shown`. */
const ALREADY_SHOWN = /\.\.\. \(\d+ characters\)"$/;

/**
 * A message with secrets masked: passwords in URLs and addresses (`scheme://user:secret@host`,
 * `user:secret@host`) and in JAAS or `key=value` text (`password="…"`, `password=…`) become `***`;
 * quoted values over MAX_SHOWN characters are cut (see shown). Every line diag writes and every
 * ConfigError passes through it.
 */
export function redact(message: string): string {
  return message
    .replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/@:"]*):[^\s/@"]*@/g, '$1:***@')
    .replace(/(password\s*=\s*)(\\?"(?:[^"\\]|\\.)*?\\?"|[^\s;,"\\]+)/gi, '$1***')
    .replace(/(^|[\s"(])([^\s/@:"()]+):[^\s/@"]+@/g, '$1$2:***@')
    .replace(/"(?:[^"\\]|\\.)*"/g, (q) =>
      q.length <= MAX_SHOWN + 2 || ALREADY_SHOWN.test(q) ? q : `"${shown(q.slice(1, -1))}"`,
    );
}

function clip(text: string): string {
  return text.length <= MAX_EXAMPLE_LENGTH ? text : `${text.slice(0, MAX_EXAMPLE_LENGTH - 3)}...`;
}

/**
 * Log `message` at `level` unless a line of the same `key` was written within `intervalMs`.
 * `key` is a fixed string naming the condition; `example` (for instance the operation name) is
 * what tells this occurrence apart, named in the summary of the next line. Returns true when the
 * line was written.
 */
export function log(level: LogLevel, key: string, message: string, intervalMs = 60_000, example?: string): boolean {
  const c = conditionOf(key);
  c.count++;
  if (LEVELS[level] > threshold) return false;
  const now = Date.now();
  if (now - c.last < intervalMs) {
    c.suppressed++;
    if (example !== undefined && c.examples.length < MAX_EXAMPLES) {
      const e = clip(String(example));
      if (!c.examples.includes(e)) c.examples.push(e);
    }
    return false;
  }
  let suffix = '';
  if (c.suppressed > 0) {
    const named = c.examples.map((e) => JSON.stringify(e)).join(', ');
    const more = c.suppressed - c.examples.length;
    suffix =
      c.examples.length === 0
        ? ` (${c.suppressed} more since the last line)`
        : ` (${c.suppressed} more since the last line: ${named}${more > 0 ? ` and ${more} more` : ''})`;
  }
  c.last = now;
  c.suppressed = 0;
  c.examples.length = 0;
  try {
    logger[level](redact(message + suffix));
  } catch {
    // a broken logger must not break the application
  }
  return true;
}

/** How many times each diagnostic key was raised (written or not), for tests. At most MAX_KEYS + 1 keys. */
export function diagnosticCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, c] of conditions) out[key] = c.count;
  return out;
}

/** Forget throttling state and counts (tests). */
export function resetDiagnostics(): void {
  conditions.clear();
}
