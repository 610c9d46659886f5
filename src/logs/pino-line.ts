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
 * A pino line read without `JSON.parse` (the usual case: the line is pino's own JSON, and the body
 * is the line's other fields as they are written): the record `recordOfPino` would make of it, with
 * the body as JSON text. Undefined when the line holds what this reading leaves to `JSON.parse`
 * (an error, the separate id fields, escaped keys, a non-number time, a message that is not text).
 */
export function recordOfPinoLine(
  json: string,
  messageKey: string,
  errorKey: string,
  messageKeyJson: string,
): SkyWalkingLogRecord | undefined {
  const n = json.length;
  if (n < 3 || json.charCodeAt(0) !== 123 || json.charCodeAt(n - 1) !== 125) return undefined;
  let level: unknown;
  let time: number | undefined;
  let logger: string | undefined;
  let msgRaw: string | undefined;
  let packed: string | undefined;
  let rest = '';
  let i = 1;
  // the next backslash at or after the key being read: a key with one is left to JSON.parse
  let backslash = json.indexOf('\\');
  for (;;) {
    if (json.charCodeAt(i) !== 34) return undefined;
    const keyStart = i + 1;
    const keyEnd = json.indexOf('"', keyStart);
    if (keyEnd < 0 || json.charCodeAt(keyEnd + 1) !== 58) return undefined;
    if (backslash >= 0 && backslash < keyStart) backslash = json.indexOf('\\', keyStart);
    if (backslash >= 0 && backslash < keyEnd) return undefined;
    const v = keyEnd + 2;
    const end = skipValue(json, v);
    if (end < 0) return undefined;
    if (keyIs(json, keyStart, keyEnd, messageKey)) msgRaw = json.slice(v, end);
    else if (keyIs(json, keyStart, keyEnd, 'level')) {
      const raw = json.slice(v, end);
      if (json.charCodeAt(v) === 34) {
        if (raw.includes('\\')) return undefined;
        level = raw.slice(1, -1);
      } else level = Number(raw);
    } else if (keyIs(json, keyStart, keyEnd, 'time')) {
      if (json.charCodeAt(v) === 34) return undefined;
      time = Number(json.slice(v, end));
    } else if (keyIs(json, keyStart, keyEnd, 'name')) {
      const raw = json.slice(v, end);
      if (json.charCodeAt(v) !== 34 || raw.includes('\\')) return undefined;
      logger = raw.slice(1, -1);
    } else if (keyIs(json, keyStart, keyEnd, PACKED_KEY)) {
      const raw = json.slice(v, end);
      if (json.charCodeAt(v) !== 34 || raw.includes('\\')) return undefined;
      packed = raw.slice(1, -1);
    } else if (keyIs(json, keyStart, keyEnd, errorKey) || keyIn(json, keyStart, keyEnd, FIELDS)) return undefined;
    else if (!keyIn(json, keyStart, keyEnd, SKIPPED))
      rest = rest === '' ? json.slice(i, end) : `${rest},${json.slice(i, end)}`;
    i = end;
    const c = json.charCodeAt(i);
    if (c === 44) i++;
    else if (c === 125 && i === n - 1) break;
    else return undefined;
  }
  const record: SkyWalkingLogRecord = {
    body: '',
    level: pinoLevelName(level),
    logger,
    timestamp: time,
    context: contextOfPacked(packed),
    plainBody: true,
  };
  if (rest !== '') record.bodyJson = msgRaw === undefined ? `{${rest}}` : `{${messageKeyJson}:${msgRaw},${rest}}`;
  else if (msgRaw !== undefined) {
    if (msgRaw.charCodeAt(0) !== 34) return undefined;
    record.body = msgRaw.includes('\\') ? (JSON.parse(msgRaw) as string) : msgRaw.slice(1, -1);
  }
  return record;
}
