import type { SegmentObject, SpanObject } from '../base/model';

/** A span of a trace with the spans that hang under it. */
export interface SpanNode {
  seg: SegmentObject;
  span: SpanObject;
  children: SpanNode[];
}

/** A span's key within its trace: segment id and span id. */
export const spanKey = (segmentId: string, spanId: number): string => `${segmentId}\u0000${spanId}`;

/** Earlier start first, then the lower span id. */
export const byStart = (a: SpanNode, b: SpanNode): number =>
  a.span.startTime - b.span.startTime || a.span.spanId - b.span.spanId;

/**
 * A trace's spans as one tree across segments: children by `parentSpanId` inside a segment, and by
 * the first ref across segments (a span with refs hangs under the span that ref points at). A span
 * whose parent is missing is a root. No recursion: callers walk it with a stack; spans in a parent
 * cycle are reachable from no root, so a walker must also visit what it did not reach.
 */
export function spanTree(segments: readonly SegmentObject[]): { nodes: Map<string, SpanNode>; roots: SpanNode[] } {
  const nodes = new Map<string, SpanNode>();
  for (const seg of segments)
    for (const span of seg.spans) nodes.set(spanKey(seg.traceSegmentId, span.spanId), { seg, span, children: [] });
  const roots: SpanNode[] = [];
  for (const n of nodes.values()) {
    const ref = n.span.refs[0];
    const parent = ref
      ? nodes.get(spanKey(ref.parentTraceSegmentId, ref.parentSpanId))
      : n.span.parentSpanId >= 0
        ? nodes.get(spanKey(n.seg.traceSegmentId, n.span.parentSpanId))
        : undefined;
    (parent && parent !== n ? parent.children : roots).push(n);
  }
  return { nodes, roots };
}
