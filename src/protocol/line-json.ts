import type {
  InstancePingPkg,
  InstanceProperties,
  KeyStringValuePair,
  SegmentObject,
  SegmentReference,
  SpanObject,
} from '../base/model';
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

function refJson(r: SegmentReference): Record<string, unknown> {
  return {
    refType: REF_TYPE_NAMES[r.refType] ?? 'CrossProcess',
    traceId: r.traceId,
    parentTraceSegmentId: r.parentTraceSegmentId,
    parentSpanId: r.parentSpanId,
    parentService: r.parentService,
    parentServiceInstance: r.parentServiceInstance,
    parentEndpoint: r.parentEndpoint,
    networkAddressUsedAtPeer: r.networkAddressUsedAtPeer,
  };
}

function spanJson(s: SpanObject): Record<string, unknown> {
  const o: Record<string, unknown> = {
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    startTime: s.startTime,
    endTime: s.endTime,
  };
  if (s.refs.length > 0) o.refs = s.refs.map(refJson);
  o.operationName = s.operationName;
  if (s.peer !== '') o.peer = s.peer;
  o.spanType = SPAN_TYPE_NAMES[s.spanType] ?? 'Local';
  o.spanLayer = SPAN_LAYER_NAMES[s.spanLayer] ?? 'Unknown';
  o.componentId = s.componentId;
  if (s.isError) o.isError = true;
  if (s.tags.length > 0) o.tags = pairs(s.tags);
  if (s.logs.length > 0) o.logs = s.logs.map((l) => ({ time: l.time, data: pairs(l.data) }));
  if (s.skipAnalysis) o.skipAnalysis = true;
  return o;
}

/** A `SegmentObject` as one marked line (no newline). */
export function segmentLine(segment: SegmentObject): string {
  const o: Record<string, unknown> = {
    skywalking: 'segment',
    traceId: segment.traceId,
    traceSegmentId: segment.traceSegmentId,
    spans: segment.spans.map(spanJson),
    service: segment.service,
    serviceInstance: segment.serviceInstance,
  };
  if (segment.isSizeLimited) o.isSizeLimited = true;
  return JSON.stringify(o);
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
