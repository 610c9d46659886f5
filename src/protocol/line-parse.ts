import type {
  InstancePingPkg,
  InstanceProperties,
  KeyStringValuePair,
  LogObject,
  RefType,
  SegmentObject,
  SegmentReference,
  SpanLayer,
  SpanObject,
  SpanType,
} from '../base/model';
import { REF_TYPE_NAMES, SPAN_LAYER_NAMES, SPAN_TYPE_NAMES } from '../base/model';
import type { LogBody, LogData } from './log-encoder';
import { LINE_MARKER } from './line-json';

/** One line read back: a message, a line without the marker (`foreign`), or a marked line that is not a valid message. */
export type ParsedLine =
  | { kind: 'segment'; segment: SegmentObject }
  | { kind: 'log'; log: LogData }
  | { kind: 'properties'; properties: InstanceProperties }
  | { kind: 'keepAlive'; ping: InstancePingPkg }
  | { kind: 'foreign' }
  | { kind: 'invalid'; reason: string };

class Invalid extends Error {}

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Invalid(`${what} is not an object`);
  return v as Json;
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Invalid(`${key} is not a string`);
  return v;
}

/** int32/int64 as the OAP's parser takes them: a whole JSON number or a string of one. */
function num(o: Json, key: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d{1,19}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Invalid(`${key} is not a whole number`);
  return n;
}

function flag(o: Json, key: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new Invalid(`${key} is not true or false`);
  return v;
}

/** An enum by name (as the line writes it) or by number. */
function enumOf<T extends number>(o: Json, key: string, names: readonly string[]): T {
  const v = o[key];
  if (v === undefined || v === null) return 0 as T;
  const i = typeof v === 'string' ? names.indexOf(v) : typeof v === 'number' && v >= 0 && v < names.length ? v : -1;
  if (i < 0 || !Number.isInteger(i)) throw new Invalid(`${key} is not one of ${names.join(', ')}`);
  return i as T;
}

function list(o: Json, key: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Invalid(`${key} is not an array`);
  return v;
}

function pairsOf(o: Json, key: string): KeyStringValuePair[] {
  return list(o, key).map((p) => {
    const e = obj(p, key);
    return { key: str(e, 'key'), value: str(e, 'value') };
  });
}

function refOf(v: unknown): SegmentReference {
  const r = obj(v, 'refs');
  return {
    refType: enumOf<RefType>(r, 'refType', REF_TYPE_NAMES),
    traceId: str(r, 'traceId'),
    parentTraceSegmentId: str(r, 'parentTraceSegmentId'),
    parentSpanId: num(r, 'parentSpanId'),
    parentService: str(r, 'parentService'),
    parentServiceInstance: str(r, 'parentServiceInstance'),
    parentEndpoint: str(r, 'parentEndpoint'),
    networkAddressUsedAtPeer: str(r, 'networkAddressUsedAtPeer'),
  };
}

function spanOf(v: unknown): SpanObject {
  const s = obj(v, 'spans');
  return {
    spanId: num(s, 'spanId'),
    parentSpanId: num(s, 'parentSpanId'),
    startTime: num(s, 'startTime'),
    endTime: num(s, 'endTime'),
    refs: list(s, 'refs').map(refOf),
    operationName: str(s, 'operationName'),
    peer: str(s, 'peer'),
    spanType: enumOf<SpanType>(s, 'spanType', SPAN_TYPE_NAMES),
    spanLayer: enumOf<SpanLayer>(s, 'spanLayer', SPAN_LAYER_NAMES),
    componentId: num(s, 'componentId'),
    isError: flag(s, 'isError'),
    tags: pairsOf(s, 'tags'),
    logs: list(s, 'logs').map((l): LogObject => {
      const e = obj(l, 'logs');
      return { time: num(e, 'time'), data: pairsOf(e, 'data') };
    }),
    skipAnalysis: flag(s, 'skipAnalysis'),
  };
}

function segmentOf(o: Json): SegmentObject {
  const segment: SegmentObject = {
    traceId: str(o, 'traceId'),
    traceSegmentId: str(o, 'traceSegmentId'),
    spans: list(o, 'spans').map(spanOf),
    service: str(o, 'service'),
    serviceInstance: str(o, 'serviceInstance'),
    isSizeLimited: flag(o, 'isSizeLimited'),
  };
  if (segment.traceId === '' || segment.traceSegmentId === '' || segment.service === '')
    throw new Invalid('a segment needs traceId, traceSegmentId and service');
  return segment;
}

function bodyOf(v: unknown): LogBody {
  const b = obj(v, 'body');
  if (b.json !== undefined && b.json !== null) return { json: { json: str(obj(b.json, 'body.json'), 'json') } };
  if (b.yaml !== undefined && b.yaml !== null) return { text: { text: str(obj(b.yaml, 'body.yaml'), 'yaml') } };
  return { text: { text: str(obj(b.text, 'body.text'), 'text') } };
}

function logOf(o: Json): LogData {
  const log: LogData = {
    timestamp: num(o, 'timestamp'),
    service: str(o, 'service'),
    serviceInstance: str(o, 'serviceInstance'),
    endpoint: str(o, 'endpoint'),
    body: bodyOf(o.body),
    tags: pairsOf(obj(o.tags, 'tags'), 'data'),
    layer: str(o, 'layer'),
  };
  if (o.traceContext !== undefined && o.traceContext !== null) {
    const t = obj(o.traceContext, 'traceContext');
    log.traceContext = {
      traceId: str(t, 'traceId'),
      traceSegmentId: str(t, 'traceSegmentId'),
      spanId: num(t, 'spanId'),
    };
  }
  if (log.service === '') throw new Invalid('a log record needs service');
  return log;
}

function identityOf(o: Json): { service: string; serviceInstance: string; layer: string } {
  const id = { service: str(o, 'service'), serviceInstance: str(o, 'serviceInstance'), layer: str(o, 'layer') };
  if (id.service === '' || id.serviceInstance === '') throw new Invalid('needs service and serviceInstance');
  return id;
}

/** The message of a marked object. */
function messageOf(o: Json): ParsedLine {
  switch (o.skywalking) {
    case 'segment':
      return { kind: 'segment', segment: segmentOf(o) };
    case 'log':
      return { kind: 'log', log: logOf(o) };
    case 'properties':
      return { kind: 'properties', properties: { ...identityOf(o), properties: pairsOf(o, 'properties') } };
    case 'keepAlive':
      return { kind: 'keepAlive', ping: identityOf(o) };
    default:
      return { kind: 'invalid', reason: `unknown kind ${JSON.stringify(o.skywalking)}` };
  }
}

/**
 * Read one line: the marker may follow a prefix a log collector added (a timestamp, a CRI
 * `stdout F`); from the marker to the end of the line must be one JSON object. Never throws.
 */
export function parseLine(line: string): ParsedLine {
  const at = line.indexOf(LINE_MARKER);
  if (at < 0) return { kind: 'foreign' };
  let value: unknown;
  try {
    value = JSON.parse(at === 0 ? line : line.slice(at));
  } catch {
    return { kind: 'invalid', reason: 'not one JSON object from the marker to the end of the line' };
  }
  try {
    return messageOf(obj(value, 'the line'));
  } catch (e) {
    return { kind: 'invalid', reason: e instanceof Invalid ? e.message : String(e) };
  }
}
