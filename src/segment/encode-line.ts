import type { JsonWriter } from '../protocol/json-writer';
import { type LineSpan, segmentLineEnd, segmentLineSpan, segmentLineStart } from '../protocol/line-json';

/** A span in a segment's finish-order list, as the line writer reads it (a `RecordedSpan`). */
export interface FinishedLineSpan extends LineSpan {
  readonly nextFinished: FinishedLineSpan | undefined;
}

/** What `encodeSegmentLine` reads of a closed segment (a `Segment`). */
export interface LineEncodableSegment {
  readonly traceId: string;
  readonly segmentId: string;
  readonly service: string;
  readonly instance: string;
  readonly sizeLimited: boolean;
  readonly firstFinished: FinishedLineSpan | undefined;
}

/**
 * A closed segment as its marked line (with the newline), read straight from its recorded spans in
 * finish order, without building the intermediate objects: the same text as
 * `segmentLine(segment.toSegmentObject())`, in the writer's chunk. The spans' front-end mapping
 * must have run (`Segment.line`).
 */
export function encodeSegmentLine(segment: LineEncodableSegment, w: JsonWriter): Buffer {
  segmentLineStart(w, segment);
  let i = 0;
  for (let s = segment.firstFinished; s; s = s.nextFinished) segmentLineSpan(w, s, i++);
  return segmentLineEnd(w, segment);
}
