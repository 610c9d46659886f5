import type { KeyStringValuePair, LogObject, SegmentObject, SegmentReference } from '../base/model';
import { ProtoWriter } from '../protocol/proto-writer';
import { FORCED_FINISH_TAG } from '../base/semconv';
import type { Segment } from './segment';

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

function writePairs(w: ProtoWriter, field: number, pairs: readonly KeyStringValuePair[] | undefined): void {
  if (!pairs) return;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const mark = w.open(field);
    w.stringField(1, pair.key);
    w.stringField(2, pair.value);
    w.close(mark);
  }
}

function writeRefs(w: ProtoWriter, refs: readonly SegmentReference[] | undefined): void {
  if (!refs) return;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const mark = w.open(5);
    w.int32Field(1, ref.refType);
    w.stringField(2, ref.traceId);
    w.stringField(3, ref.parentTraceSegmentId);
    w.int32Field(4, ref.parentSpanId);
    w.stringField(5, ref.parentService);
    w.stringField(6, ref.parentServiceInstance);
    w.stringField(7, ref.parentEndpoint);
    w.stringField(8, ref.networkAddressUsedAtPeer);
    w.close(mark);
  }
}

function writeLogs(w: ProtoWriter, logs: readonly LogObject[] | undefined): void {
  if (!logs) return;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]!;
    const mark = w.open(13);
    w.int64Field(1, log.time);
    writePairs(w, 2, log.data);
    w.close(mark);
  }
}

/** The fields of one span, from either a recorded span or a `SpanObject`. */
function writeSpan(
  w: ProtoWriter,
  spanId: number,
  parentSpanId: number,
  startTime: number,
  endTime: number,
  refs: readonly SegmentReference[] | undefined,
  operationName: string,
  peer: string,
  spanType: number,
  spanLayer: number,
  componentId: number,
  isError: boolean,
  tags: readonly KeyStringValuePair[] | undefined,
  forced: boolean,
  logs: readonly LogObject[] | undefined,
  skipAnalysis: boolean,
): void {
  const mark = w.open(3);
  w.int32Field(1, spanId);
  w.int32Field(2, parentSpanId);
  w.int64Field(3, startTime);
  w.int64Field(4, endTime);
  writeRefs(w, refs);
  w.stringField(6, operationName);
  w.stringField(7, peer);
  w.int32Field(8, spanType);
  w.int32Field(9, spanLayer);
  w.int32Field(10, componentId);
  w.boolField(11, isError);
  writePairs(w, 12, tags);
  if (forced) {
    const tag = w.open(12);
    w.stringField(1, FORCED_FINISH_TAG);
    w.stringField(2, 'true');
    w.close(tag);
  }
  writeLogs(w, logs);
  w.boolField(14, skipAnalysis);
  w.close(mark);
}

/**
 * A closed segment's bytes, read straight from its recorded spans (in finish order), without
 * building the intermediate objects. The spans' front-end mapping must have run (`Segment.encode`).
 *
 * The bytes are a `SegmentCollection` entry (field 1, its length, the `SegmentObject`), so a batch
 * of entries is a `SegmentCollection` as it lies in memory; `segmentOfEntry` gives the bare segment.
 */
export function encodeSegment(segment: Segment, w: ProtoWriter = writer): Buffer {
  w.reset();
  const entry = w.open(1);
  w.stringField(1, segment.traceId);
  w.stringField(2, segment.segmentId);
  for (let s = segment.firstFinished; s; s = s.nextFinished) {
    writeSpan(
      w,
      s.id,
      s.parentId,
      s.startTime,
      s.endTime,
      s.refs,
      s.operationName,
      s.peer,
      s.type,
      s.layer,
      s.componentId,
      s.isError,
      s.tags,
      s.forced,
      s.logs,
      s.skipAnalysis,
    );
  }
  w.stringField(4, segment.service);
  w.stringField(5, segment.instance);
  w.boolField(6, segment.sizeLimited);
  w.close(entry);
  return w.finish();
}

/** A `SegmentObject` as a `SegmentCollection` entry, like `encodeSegment` (for sources that are not our own `Segment`). */
export function encodeSegmentObject(o: SegmentObject, w: ProtoWriter = writer): Buffer {
  w.reset();
  const entry = w.open(1);
  w.stringField(1, o.traceId);
  w.stringField(2, o.traceSegmentId);
  for (const s of o.spans) {
    writeSpan(
      w,
      s.spanId,
      s.parentSpanId,
      s.startTime,
      s.endTime,
      s.refs,
      s.operationName,
      s.peer,
      s.spanType,
      s.spanLayer,
      s.componentId,
      s.isError,
      s.tags,
      false,
      s.logs,
      s.skipAnalysis,
    );
  }
  w.stringField(4, o.service);
  w.stringField(5, o.serviceInstance);
  w.boolField(6, o.isSizeLimited);
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
