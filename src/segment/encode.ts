import type { KeyStringValuePair, LogObject, SegmentObject, SegmentReference } from '../base/model';
import { ProtoWriter } from '../protocol/proto-writer';
import { type EncodableSegment, type SpanFields, spanFieldsOf } from '../protocol/span-fields';
import { FORCED_FINISH_TAG } from '../base/semconv';

/**
 * `SegmentObject` (language-agent/Tracing.proto) to protobuf bytes, written by hand: the reporter
 * encodes each segment once, when it closes, and queues only the bytes. The bytes equal
 * protobuf.js's encoding of the same object (tested), so the OAP reads them like any agent's.
 *
 * The segment owns its wire form: this file walks the segment's span list, and the protocol layer
 * below (`src/protocol/`) knows only the wire primitives (`ProtoWriter`), never a `Segment`.
 *
 * Field numbers: SegmentObject traceId 1, traceSegmentId 2, spans 3, service 4, serviceInstance 5,
 * isSizeLimited 6. SpanObject spanId 1, parentSpanId 2, startTime 3, endTime 4, refs 5,
 * operationName 6, peer 7, spanType 8, spanLayer 9, componentId 10, isError 11, tags 12, logs 13,
 * skipAnalysis 14. SegmentReference refType 1, traceId 2, parentTraceSegmentId 3, parentSpanId 4,
 * parentService 5, parentServiceInstance 6, parentEndpoint 7, networkAddressUsedAtPeer 8.
 * Log time 1, data 2. KeyStringValuePair key 1, value 2.
 */

/** The writer for callers that bring none (a reporter brings its own, so its queue pins only its own chunks). */
const writer = new ProtoWriter();

// Field numbers of Tracing.proto and Common.proto, as written below.
/** `SegmentCollection.segments` (the entry each encoding is). */
const COLLECTION_SEGMENTS = 1;
const SEGMENT_TRACE_ID = 1;
const SEGMENT_ID = 2;
const SEGMENT_SPANS = 3;
const SEGMENT_SERVICE = 4;
const SEGMENT_INSTANCE = 5;
const SEGMENT_SIZE_LIMITED = 6;
const SPAN_ID = 1;
const SPAN_PARENT_ID = 2;
const SPAN_START = 3;
const SPAN_END = 4;
const SPAN_REFS = 5;
const SPAN_OPERATION = 6;
const SPAN_PEER = 7;
const SPAN_TYPE = 8;
const SPAN_LAYER = 9;
const SPAN_COMPONENT = 10;
const SPAN_IS_ERROR = 11;
const SPAN_TAGS = 12;
const SPAN_LOGS = 13;
const SPAN_SKIP_ANALYSIS = 14;
const REF_TYPE = 1;
const REF_TRACE_ID = 2;
const REF_SEGMENT_ID = 3;
const REF_SPAN_ID = 4;
const REF_SERVICE = 5;
const REF_INSTANCE = 6;
const REF_ENDPOINT = 7;
const REF_ADDRESS = 8;
const LOG_TIME = 1;
const LOG_DATA = 2;

function writePairs(w: ProtoWriter, field: number, pairs: readonly KeyStringValuePair[] | undefined): void {
  if (!pairs) return;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    w.pairField(field, pair.key, pair.value);
  }
}

function writeRefs(w: ProtoWriter, refs: readonly SegmentReference[] | undefined): void {
  if (!refs) return;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const mark = w.open(SPAN_REFS);
    w.int32Field(REF_TYPE, ref.refType);
    w.stringField(REF_TRACE_ID, ref.traceId);
    w.stringField(REF_SEGMENT_ID, ref.parentTraceSegmentId);
    w.int32Field(REF_SPAN_ID, ref.parentSpanId);
    w.stringField(REF_SERVICE, ref.parentService);
    w.stringField(REF_INSTANCE, ref.parentServiceInstance);
    w.stringField(REF_ENDPOINT, ref.parentEndpoint);
    w.stringField(REF_ADDRESS, ref.networkAddressUsedAtPeer);
    w.close(mark);
  }
}

function writeLogs(w: ProtoWriter, logs: readonly LogObject[] | undefined): void {
  if (!logs) return;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]!;
    const mark = w.open(SPAN_LOGS);
    w.int64Field(LOG_TIME, log.time);
    writePairs(w, LOG_DATA, log.data);
    w.close(mark);
  }
}

/**
 * A lower bound of a span's encoded size (its strings taken as ASCII): whether its length will
 * take two bytes, so `openSized` leaves room for them and `close` need not move the span's bytes.
 */
function sizeHint(s: SpanFields): number {
  let n = 24 + s.operationName.length + s.peer.length;
  const tags = s.tags;
  if (tags) for (let i = 0; i < tags.length; i++) n += 6 + tags[i]!.key.length + tags[i]!.value.length;
  if (s.logs || s.refs) n += 128;
  return n;
}

/** One span (field 3 of the segment). */
function writeSpan(w: ProtoWriter, s: SpanFields): void {
  const mark = w.openSized(SEGMENT_SPANS, sizeHint(s));
  w.int32Field(SPAN_ID, s.id);
  w.int32Field(SPAN_PARENT_ID, s.parentId);
  w.int64Field(SPAN_START, s.startTime);
  w.int64Field(SPAN_END, s.endTime);
  writeRefs(w, s.refs);
  w.stringField(SPAN_OPERATION, s.operationName);
  w.stringField(SPAN_PEER, s.peer);
  w.int32Field(SPAN_TYPE, s.type);
  w.int32Field(SPAN_LAYER, s.layer);
  w.int32Field(SPAN_COMPONENT, s.componentId);
  w.boolField(SPAN_IS_ERROR, s.isError);
  writePairs(w, SPAN_TAGS, s.tags);
  if (s.forced) w.pairField(SPAN_TAGS, FORCED_FINISH_TAG, 'true');
  writeLogs(w, s.logs);
  w.boolField(SPAN_SKIP_ANALYSIS, s.skipAnalysis);
  w.close(mark);
}

/**
 * A closed segment's bytes, read straight from its recorded spans (in finish order), without
 * building the intermediate objects. The spans' front-end mapping must have run (`Segment.encode`).
 *
 * The bytes are a `SegmentCollection` entry (field 1, its length, the `SegmentObject`), so a batch
 * of entries is a `SegmentCollection` as it lies in memory; `segmentOfEntry` gives the bare segment.
 */
export function encodeSegment(segment: EncodableSegment, w: ProtoWriter = writer): Buffer {
  w.reset();
  // a segment with spans takes 128 bytes or more: two bytes for its length, nothing to move
  const entry = w.openSized(COLLECTION_SEGMENTS, segment.firstFinished ? 128 : 0);
  w.stringField(SEGMENT_TRACE_ID, segment.traceId);
  w.stringField(SEGMENT_ID, segment.segmentId);
  for (let s = segment.firstFinished; s; s = s.nextFinished) writeSpan(w, s);
  w.stringField(SEGMENT_SERVICE, segment.service);
  w.stringField(SEGMENT_INSTANCE, segment.instance);
  w.boolField(SEGMENT_SIZE_LIMITED, segment.sizeLimited);
  w.close(entry);
  return w.finish();
}

/** A `SegmentObject` as a `SegmentCollection` entry, like `encodeSegment` (for sources that are not our own `Segment`). */
export function encodeSegmentObject(o: SegmentObject, w: ProtoWriter = writer): Buffer {
  w.reset();
  const entry = w.openSized(COLLECTION_SEGMENTS, o.spans.length > 0 ? 128 : 0);
  w.stringField(SEGMENT_TRACE_ID, o.traceId);
  w.stringField(SEGMENT_ID, o.traceSegmentId);
  for (const s of o.spans) writeSpan(w, spanFieldsOf(s));
  w.stringField(SEGMENT_SERVICE, o.service);
  w.stringField(SEGMENT_INSTANCE, o.serviceInstance);
  w.boolField(SEGMENT_SIZE_LIMITED, o.isSizeLimited);
  w.close(entry);
  return w.finish();
}

/**
 * The `SegmentObject` inside an entry that `encodeSegment`/`encodeSegmentObject` returned (a view,
 * for the `collect` stream, which sends bare segments).
 */
export function segmentOfEntry(entry: Buffer): Buffer {
  let i = 1;
  while (entry[i]! & 0x80) i++;
  return entry.subarray(i + 1);
}
