import type { LogData } from '../protocol/log-encoder';

/** What `--text-pattern` takes apart in a line: the trace id, and optionally time, level, service, instance. */
export interface TextFields {
  traceId: string;
  time?: string;
  level?: string;
  service?: string;
  instance?: string;
}

export type TextMatcher = (line: string) => TextFields | undefined;

const LEVEL = String.raw`\[(?<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]`;
const TIME = String.raw`^\s*(?<time>\d{4}[-/]\d\d[-/]\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)`;

/** A preset: a cheap test first, then regexes that each look for one field (none backtracks across the line). */
function preset(needle: string, traceId: RegExp): TextMatcher {
  const time = new RegExp(TIME);
  const level = new RegExp(LEVEL);
  return (line) => {
    if (!line.includes(needle)) return undefined;
    const id = traceId.exec(line)?.groups?.trace_id;
    if (!id) return undefined;
    return { traceId: id, time: time.exec(line)?.groups?.time, level: level.exec(line)?.groups?.level };
  };
}

function field(o: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/** JSON lines with a `trace_id` (or `traceId`) key; time, level, service, instance read from the usual keys. */
const jsonLines: TextMatcher = (line) => {
  const at = line.indexOf('{');
  if (at < 0 || !/"trace_?[iI]d"/.test(line)) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(line.slice(at));
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  const traceId = field(rec, 'trace_id', 'traceId');
  if (!traceId) return undefined;
  const level = field(rec, 'level', 'severity', 'levelname');
  return {
    traceId,
    time: field(rec, 'time', 'timestamp', '@timestamp', 'ts'),
    level,
    service: field(rec, 'service', 'service.name'),
    instance: field(rec, 'instance', 'service.instance'),
  };
};

/** The presets `--text-pattern` knows by name. */
export const TEXT_PRESETS: Readonly<Record<string, TextMatcher>> = {
  /** `… [INFO] [trace_id=abc] …` (the shape of go2sky's and many loggers' lines). */
  bracket: preset('[trace_id=', /\[trace_id=(?<trace_id>[^\]\s]+)\]/),
  /** `… trace_id=abc …` (logfmt and key=value lines). */
  kv: preset('trace_id=', /(?:^|[\s,;|])trace_id=(?<trace_id>[^\s,;|"\]]+)/),
  /** JSON lines with a `trace_id` key. */
  json: jsonLines,
};

/**
 * A preset by name, or a regex with named groups: `trace_id` (required), `time`, `level`,
 * `service`, `instance`. Throws an Error saying what to change when the pattern cannot be used.
 */
export function textMatcher(pattern: string): TextMatcher {
  const named = TEXT_PRESETS[pattern];
  if (named) return named;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new Error(`--text-pattern ${JSON.stringify(pattern)} is not a regular expression: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!pattern.includes('(?<trace_id>'))
    throw new Error(
      `--text-pattern needs a named group (?<trace_id>…), or a preset: ${Object.keys(TEXT_PRESETS).join(', ')}`,
    );
  return (line) => {
    const g = re.exec(line)?.groups;
    if (!g?.trace_id) return undefined;
    return { traceId: g.trace_id, time: g.time, level: g.level, service: g.service, instance: g.instance };
  };
}

/** Epoch ms of a written time: epoch seconds or ms, or a date the JS parser reads (local time without a zone); else `now`. */
export function timeOf(text: string | undefined, now: number): number {
  if (!text) return now;
  if (/^\d{10}(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (/^\d{13}$/.test(text)) return Number(text);
  const ms = Date.parse(text.replace(',', '.'));
  return Number.isFinite(ms) ? ms : now;
}

/** A text line with a trace id as `LogData`: the line as written is the body, its level a `level` tag. */
export function textLogData(
  line: string,
  fields: TextFields,
  defaults: { service: string; instance: string },
  now: number,
): LogData {
  const level = fields.level?.toUpperCase();
  return {
    timestamp: timeOf(fields.time, now),
    service: fields.service || defaults.service,
    serviceInstance: fields.instance || defaults.instance,
    endpoint: '',
    body: { text: { text: line } },
    traceContext: { traceId: fields.traceId, traceSegmentId: '', spanId: 0 },
    tags: level ? [{ key: 'level', value: level === 'WARNING' ? 'WARN' : level }] : [],
    layer: '',
  };
}
