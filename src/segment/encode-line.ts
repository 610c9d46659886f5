import type { JsonWriter } from '../protocol/json-writer';
import { segmentLineEnd, segmentLineSpan, segmentLineStart } from '../protocol/line-json';
import type { EncodableSegment } from '../protocol/span-fields';

/**
 * A closed segment as its marked line (with the newline), read straight from its recorded spans in
 * finish order, without building the intermediate objects: the same text as
 * `segmentLine(segment.toSegmentObject())`, in the writer's chunk. The spans' front-end mapping
 * must have run (`Segment.line`).
 */
export function encodeSegmentLine(segment: EncodableSegment, w: JsonWriter): Buffer {
  segmentLineStart(w, segment);
  let i = 0;
  for (let s = segment.firstFinished; s; s = s.nextFinished) segmentLineSpan(w, s, i++);
  return segmentLineEnd(w, segment);
}
