import type {
  InstancePingPkg,
  InstanceProperties,
  KeyStringValuePair,
  LogObject,
  SegmentObject,
  SegmentReference,
} from '../base/model';
import { FORCED_FINISH_TAG } from '../base/semconv';
import { JsonWriter } from './json-writer';
import { type SpanFields, spanFieldsOf } from './span-fields';
import { REF_TYPE_NAMES, SPAN_LAYER_NAMES, SPAN_TYPE_NAMES } from '../base/model';
import type { LogData } from './log-encoder';

/**
 * The line format: one SkyWalking message per line, in the OAP's own JSON (the protobuf JSON
 * mapping its HTTP receiver and its `skywalking-logs-json` Kafka fetcher parse with protobuf-java's
 * `JsonFormat`, unknown fields ignored): lowerCamelCase names, enums by name, int64 as JSON numbers
 * (epoch ms, exact in a double), empty repeated fields and false booleans left out as the proto3
 * printer does. The first key, `"skywalking"`, names the message and marks the line; the OAP
 * ignores it, so a line is POSTable as it is (`/v3/segment`, `/v3/management/*`; `/v3/segments`
 * and `/v3/logs` take a JSON array of lines).
 */
export const LINE_MARKER = '{"skywalking":"';

/** What a line carries, by the OAP endpoint that takes it. */
export type LineKind = 'segment' | 'log' | 'properties' | 'keepAlive';

function pairs(list: readonly KeyStringValuePair[]): { key: string; value: string }[] {
  return list.map((p) => ({ key: p.key, value: p.value }));
}

/** `[{"key":…,"value":…},…]` */
function writePairs(w: JsonWriter, list: readonly KeyStringValuePair[], forced: boolean): void {
  w.raw('[');
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    w.pair(p.key, p.value, i === 0);
  }
  if (forced) w.pair(FORCED_FINISH_TAG, 'true', list.length === 0);
  w.raw(']');
}

const NO_PAIRS: readonly KeyStringValuePair[] = [];

function writeRef(w: JsonWriter, r: SegmentReference): void {
  w.raw('{"refType":"');
  w.raw(REF_TYPE_NAMES[r.refType] ?? 'CrossProcess');
  w.member('","traceId":', r.traceId);
  w.member(',"parentTraceSegmentId":', r.parentTraceSegmentId);
  w.numberMember(',"parentSpanId":', r.parentSpanId);
  w.member(',"parentService":', r.parentService);
  w.member(',"parentServiceInstance":', r.parentServiceInstance);
  w.member(',"parentEndpoint":', r.parentEndpoint);
  w.member(',"networkAddressUsedAtPeer":', r.networkAddressUsedAtPeer);
  w.raw('}');
}

function writeRefs(w: JsonWriter, refs: readonly SegmentReference[]): void {
  w.raw(',"refs":[');
  for (let i = 0; i < refs.length; i++) {
    if (i > 0) w.raw(',');
    writeRef(w, refs[i]!);
  }
  w.raw(']');
}

function writeLogs(w: JsonWriter, logs: readonly LogObject[]): void {
  w.raw(',"logs":[');
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    w.raw(i === 0 ? '{"time":' : ',{"time":');
    w.number(l.time);
    w.raw(',"data":');
    writePairs(w, l.data, false);
    w.raw('}');
  }
  w.raw(']');
}

/** One span object: the keys in the order of `SpanObject` (Tracing.proto), defaults left out. */
function writeSpan(w: JsonWriter, s: SpanFields): void {
  w.numberMember('{"spanId":', s.id);
  w.numberMember(',"parentSpanId":', s.parentId);
  w.numberMember(',"startTime":', s.startTime);
  w.numberMember(',"endTime":', s.endTime);
  if (s.refs && s.refs.length > 0) writeRefs(w, s.refs);
  w.member(',"operationName":', s.operationName);
  if (s.peer !== '') {
    w.member(',"peer":', s.peer);
  }
  w.raw(',"spanType":"');
  w.raw(SPAN_TYPE_NAMES[s.type] ?? 'Local');
  w.raw('","spanLayer":"');
  w.raw(SPAN_LAYER_NAMES[s.layer] ?? 'Unknown');
  w.numberMember('","componentId":', s.componentId);
  if (s.isError) w.raw(',"isError":true');
  const tags = s.tags ?? NO_PAIRS;
  if (tags.length > 0 || s.forced) {
    w.raw(',"tags":');
    writePairs(w, tags, s.forced);
  }
  if (s.logs && s.logs.length > 0) writeLogs(w, s.logs);
  if (s.skipAnalysis) w.raw(',"skipAnalysis":true');
  w.raw('}');
}

/** What a segment line carries besides its spans (a closed `Segment` is one). */
export interface LineSegment {
  readonly traceId: string;
  readonly segmentId: string;
  readonly service: string;
  readonly instance: string;
  readonly sizeLimited: boolean;
}

/**
 * One segment as a marked line with its newline, written with `w` straight from its spans and handed
 * out as a view of the writer's chunk: `segmentLineStart`, then `segmentLineSpan` for each span in
 * order (`index` 0, 1, …), then `segmentLineEnd`, which returns the bytes.
 */
export function segmentLineStart(w: JsonWriter, segment: LineSegment): void {
  w.reset();
  w.member('{"skywalking":"segment","traceId":', segment.traceId);
  w.member(',"traceSegmentId":', segment.segmentId);
  w.raw(',"spans":[');
}

/** One span of the line `segmentLineStart` began. */
export function segmentLineSpan(w: JsonWriter, span: SpanFields, index: number): void {
  if (index > 0) w.raw(',');
  writeSpan(w, span);
}

/** The end of the line `segmentLineStart` began: its bytes. */
export function segmentLineEnd(w: JsonWriter, segment: LineSegment): Buffer {
  w.member('],"service":', segment.service);
  w.member(',"serviceInstance":', segment.instance);
  if (segment.sizeLimited) w.raw(',"isSizeLimited":true');
  w.raw('}');
  w.newline();
  return w.finish();
}

/** The writer for callers that bring none (a reporter brings its own). */
const writer = new JsonWriter();

/** A `SegmentObject` as one marked line with its newline, as bytes (see `segmentLineStart`). */
export function segmentObjectLine(segment: SegmentObject, w: JsonWriter = writer): Buffer {
  const head: LineSegment = {
    traceId: segment.traceId,
    segmentId: segment.traceSegmentId,
    service: segment.service,
    instance: segment.serviceInstance,
    sizeLimited: segment.isSizeLimited,
  };
  segmentLineStart(w, head);
  for (let i = 0; i < segment.spans.length; i++) segmentLineSpan(w, spanFieldsOf(segment.spans[i]!), i);
  return segmentLineEnd(w, head);
}

/** A `SegmentObject` as one marked line (no newline). */
export function segmentLine(segment: SegmentObject): string {
  const bytes = segmentObjectLine(segment);
  return bytes.toString('utf8', 0, bytes.length - 1);
}

/** A `LogData` as one marked line: the body as `{"text":{"text":…}}` or `{"json":{"json":…}}`, tags as `{"data":[…]}`. */
export function logLine(log: LogData): string {
  const o: Record<string, unknown> = {
    skywalking: 'log',
    timestamp: log.timestamp,
    service: log.service,
    serviceInstance: log.serviceInstance,
  };
  if (log.endpoint !== '') o.endpoint = log.endpoint;
  o.body =
    log.body.json !== undefined
      ? { json: { json: log.body.json.json } }
      : { text: { text: log.body.text?.text ?? '' } };
  if (log.traceContext) {
    const t = log.traceContext;
    o.traceContext = { traceId: t.traceId, traceSegmentId: t.traceSegmentId, spanId: t.spanId };
  }
  if (log.tags.length > 0) o.tags = { data: pairs(log.tags) };
  if (log.layer !== '') o.layer = log.layer;
  return JSON.stringify(o);
}

/** `InstanceProperties` (for `/v3/management/reportProperties`) as one marked line. */
export function propertiesLine(p: InstanceProperties): string {
  const o: Record<string, unknown> = {
    skywalking: 'properties',
    service: p.service,
    serviceInstance: p.serviceInstance,
    properties: pairs(p.properties),
  };
  if (p.layer !== '') o.layer = p.layer;
  return JSON.stringify(o);
}

/** `InstancePingPkg` (for `/v3/management/keepAlive`) as one marked line. */
export function keepAliveLine(p: InstancePingPkg): string {
  const o: Record<string, unknown> = {
    skywalking: 'keepAlive',
    service: p.service,
    serviceInstance: p.serviceInstance,
  };
  if (p.layer !== '') o.layer = p.layer;
  return JSON.stringify(o);
}
