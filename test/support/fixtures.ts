/**
 * The one fixture factory for segments and spans as the protocol has them (`SegmentObject`,
 * `SpanObject`, `SegmentReference`): every field filled with a plain default, the fields a test
 * cares about given. Tests state only what they assert on, and a field added to the model is added
 * here once.
 */
import {
  RefType,
  type SegmentObject,
  type SegmentReference,
  SpanLayer,
  type SpanObject,
  SpanType,
} from '../../src/base/model';

/** The start time of a fixture span, ms since the epoch (2023-11-14). */
export const T0 = 1_700_000_000_000;

/**
 * A span: by default a Local span, the root (`spanId` 0, `parentSpanId` -1) or a child of it, named
 * `op-<spanId>`, starting at T0 + spanId and lasting 10 ms, with no tags, logs, refs or peer.
 */
export function spanObject(fields: Partial<SpanObject> = {}): SpanObject {
  const spanId = fields.spanId ?? 0;
  return {
    spanId,
    parentSpanId: spanId === 0 ? -1 : 0,
    startTime: T0 + spanId,
    endTime: T0 + spanId + 10,
    refs: [],
    operationName: `op-${spanId}`,
    peer: '',
    spanType: SpanType.Local,
    spanLayer: SpanLayer.Unknown,
    componentId: 0,
    isError: false,
    tags: [],
    logs: [],
    skipAnalysis: false,
    ...fields,
  };
}

/** A segment of service `svc` (instance `svc-1`) in trace `trace-1`, by default with one root span. */
export function segmentObject(fields: Partial<SegmentObject> = {}): SegmentObject {
  return {
    traceId: 'trace-1',
    traceSegmentId: 'segment-1',
    service: 'svc',
    serviceInstance: 'svc-1',
    spans: [spanObject()],
    isSizeLimited: false,
    ...fields,
  };
}

/** A CrossProcess ref to span `parentSpanId` of `parent`, called at `address`, from endpoint `GET:/a`. */
export function refTo(
  parent: SegmentObject,
  parentSpanId: number,
  address: string,
  fields: Partial<SegmentReference> = {},
): SegmentReference {
  return {
    refType: RefType.CrossProcess,
    traceId: parent.traceId,
    parentTraceSegmentId: parent.traceSegmentId,
    parentSpanId,
    parentService: parent.service,
    parentServiceInstance: parent.serviceInstance,
    parentEndpoint: 'GET:/a',
    networkAddressUsedAtPeer: address,
    ...fields,
  };
}
