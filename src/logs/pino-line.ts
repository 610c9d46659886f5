import { FIELD_KEYS, PACKED_KEY, contextOfPacked } from './fields';
import { pinoLevelName } from './levels';
import type { SkyWalkingLogRecord } from './record';

/** Where the JSON value starting at `i` ends (the index after it), or -1 when it is not one pino writes. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 34) {
        j = skipString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 44 || d === 125) break;
  }
  return j > i ? j : -1;
}

/** The index after the string starting at `i` (its closing quote), or -1. */
function skipString(s: string, i: number): number {
  let j = i;
  for (;;) {
    j = s.indexOf('"', j + 1);
    if (j < 0) return -1;
    let k = j - 1;
    while (s.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1; // not escaped
  }
}

const SKIPPED: readonly string[] = ['pid', 'hostname', 'v'];
const FIELDS: readonly string[] = FIELD_KEYS;

/** Whether the key written at `json[start, end)` is `name` (no copy of the key is made). */
function keyIs(json: string, start: number, end: number, name: string): boolean {
  return end - start === name.length && json.startsWith(name, start);
}

function keyIn(json: string, start: number, end: number, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (keyIs(json, start, end, names[i]!)) return true;
  return false;
}

/**
 * Where the values of a pino line lie (indexes into `json`; nothing is copied but a string level):
 * what `scanPinoLine` found. One is reused for every line.
 */
export class PinoLineScan {
  json = '';
  /** A number, or a string level's text; undefined when the line has none. */
  level: number | string | undefined;
  time: number | undefined;
  /** The logger name (`name`) inside its quotes; -1 when absent. */
  loggerStart = -1;
  loggerEnd = -1;
  /** The packed ids (`sw_ctx`) inside their quotes; -1 when absent. */
  packedStart = -1;
  packedEnd = -1;
  /** The message's value as written (a string: with its quotes); -1 when absent. */
  msgStart = -1;
  msgEnd = -1;
  /** The body's other fields as written (`"key":value`), in order. */
  readonly restStarts: number[] = [];
  readonly restEnds: number[] = [];
  restCount = 0;
}

/** The digits of a non-negative integer at `s[from, to)`, or NaN when there are others. */
function digitsAt(s: string, from: number, to: number): number {
  if (to - from > 15) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** A number value at `s[from, to)`: its digits read in place, anything else through `Number`. */
function numberAt(s: string, from: number, to: number): number {
  const n = digitsAt(s, from, to);
  return n === n ? n : Number(s.slice(from, to));
}

/** Whether `s[from, to)` holds a backslash. */
function hasBackslash(s: string, from: number, to: number): boolean {
  const at = s.indexOf('\\', from);
  return at >= 0 && at < to;
}

/**
 * Read a pino line without `JSON.parse` (the usual case: the line is pino's own JSON, and the body
 * is the line's other fields as they are written) into `scan`. False when the line holds what this
 * reading leaves to `JSON.parse` (an error, the separate id fields, escaped keys, a non-number time,
 * a message that is not text and has no fields beside it).
 */
export function scanPinoLine(json: string, messageKey: string, errorKey: string, scan: PinoLineScan): boolean {
  const n = json.length;
  if (n < 3 || json.charCodeAt(0) !== 123 || json.charCodeAt(n - 1) !== 125) return false;
  scan.json = json;
  scan.level = undefined;
  scan.time = undefined;
  scan.loggerStart = scan.loggerEnd = scan.packedStart = scan.packedEnd = scan.msgStart = scan.msgEnd = -1;
  scan.restCount = 0;
  let i = 1;
  // the next backslash at or after the key being read: a key with one is left to JSON.parse
  let backslash = json.indexOf('\\');
  for (;;) {
    if (json.charCodeAt(i) !== 34) return false;
    const keyStart = i + 1;
    const keyEnd = json.indexOf('"', keyStart);
    if (keyEnd < 0 || json.charCodeAt(keyEnd + 1) !== 58) return false;
    if (backslash >= 0 && backslash < keyStart) backslash = json.indexOf('\\', keyStart);
    if (backslash >= 0 && backslash < keyEnd) return false;
    const v = keyEnd + 2;
    const end = skipValue(json, v);
    if (end < 0) return false;
    const quoted = json.charCodeAt(v) === 34;
    if (keyIs(json, keyStart, keyEnd, messageKey)) {
      scan.msgStart = v;
      scan.msgEnd = end;
    } else if (keyIs(json, keyStart, keyEnd, 'level')) {
      if (!quoted) scan.level = numberAt(json, v, end);
      else if (hasBackslash(json, v, end)) return false;
      else scan.level = json.slice(v + 1, end - 1);
    } else if (keyIs(json, keyStart, keyEnd, 'time')) {
      if (quoted) return false;
      scan.time = numberAt(json, v, end);
    } else if (keyIs(json, keyStart, keyEnd, 'name')) {
      if (!quoted || hasBackslash(json, v, end)) return false;
      scan.loggerStart = v + 1;
      scan.loggerEnd = end - 1;
    } else if (keyIs(json, keyStart, keyEnd, PACKED_KEY)) {
      if (!quoted || hasBackslash(json, v, end)) return false;
      scan.packedStart = v + 1;
      scan.packedEnd = end - 1;
    } else if (keyIs(json, keyStart, keyEnd, errorKey) || keyIn(json, keyStart, keyEnd, FIELDS)) return false;
    else if (!keyIn(json, keyStart, keyEnd, SKIPPED)) {
      scan.restStarts[scan.restCount] = i;
      scan.restEnds[scan.restCount++] = end;
    }
    i = end;
    const c = json.charCodeAt(i);
    if (c === 44) i++;
    else if (c === 125 && i === n - 1) break;
    else return false;
  }
  // a message alone is the text body: it must be text
  return scan.restCount > 0 || scan.msgStart < 0 || json.charCodeAt(scan.msgStart) === 34;
}

/** The body of a scanned line as JSON text (its fields but the message, after the message); undefined when it has no fields. */
export function bodyJsonOf(scan: PinoLineScan, messageKeyJson: string): string | undefined {
  if (scan.restCount === 0) return undefined;
  const json = scan.json;
  let rest = json.slice(scan.restStarts[0]!, scan.restEnds[0]!);
  for (let k = 1; k < scan.restCount; k++) rest += `,${json.slice(scan.restStarts[k]!, scan.restEnds[k]!)}`;
  return scan.msgStart < 0 ? `{${rest}}` : `{${messageKeyJson}:${json.slice(scan.msgStart, scan.msgEnd)},${rest}}`;
}

/** The text body of a scanned line with no other fields: its message, unescaped ('' without one). */
export function bodyTextOf(scan: PinoLineScan): string {
  if (scan.msgStart < 0) return '';
  const json = scan.json;
  return hasBackslash(json, scan.msgStart, scan.msgEnd)
    ? (JSON.parse(json.slice(scan.msgStart, scan.msgEnd)) as string)
    : json.slice(scan.msgStart + 1, scan.msgEnd - 1);
}

/** The record `recordOfPino` would make of a scanned line, with the body as JSON text. */
export function recordOfScan(scan: PinoLineScan, messageKeyJson: string): SkyWalkingLogRecord {
  const json = scan.json;
  const record: SkyWalkingLogRecord = {
    body: '',
    level: pinoLevelName(scan.level),
    logger: scan.loggerStart < 0 ? undefined : json.slice(scan.loggerStart, scan.loggerEnd),
    timestamp: scan.time,
    context: scan.packedStart < 0 ? null : contextOfPacked(json.slice(scan.packedStart, scan.packedEnd)),
    plainBody: true,
  };
  const bodyJson = bodyJsonOf(scan, messageKeyJson);
  if (bodyJson !== undefined) record.bodyJson = bodyJson;
  else record.body = bodyTextOf(scan);
  return record;
}

const shared = new PinoLineScan();

/**
 * A pino line read without `JSON.parse`: the record `recordOfPino` would make of it, with the body
 * as JSON text; undefined when the line holds what this reading leaves to `JSON.parse`
 * (`scanPinoLine`).
 */
export function recordOfPinoLine(
  json: string,
  messageKey: string,
  errorKey: string,
  messageKeyJson: string,
): SkyWalkingLogRecord | undefined {
  return scanPinoLine(json, messageKey, errorKey, shared) ? recordOfScan(shared, messageKeyJson) : undefined;
}
