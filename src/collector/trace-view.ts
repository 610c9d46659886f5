import { componentName } from '../base/components';
import {
  REF_TYPE_NAMES,
  SPAN_LAYER_NAMES,
  SPAN_TYPE_NAMES,
  type KeyStringValuePair,
  type SegmentObject,
} from '../base/model';
import { type SpanNode, byStart, spanKey, spanTree } from './span-tree';

/** One span of a trace as the web UI draws it: in tree order, with its depth and offset. */
export interface SpanView {
  /** `<segmentId>-<spanId>`, as the OAP ids a span. */
  id: string;
  /** The id of the span it hangs under ('' for a root). */
  parentId: string;
  depth: number;
  segmentId: string;
  spanId: number;
  service: string;
  serviceInstance: string;
  operationName: string;
  type: string;
  layer: string;
  component: string;
  peer: string;
  /** Milliseconds from the start of the trace. */
  offsetMs: number;
  durationMs: number;
  isError: boolean;
  /** How it is linked to its parent: '' inside a segment, 'CrossProcess' or 'CrossThread' across segments. */
  link: string;
  /** A ref whose parent segment never arrived: who it says called. */
  missingParent: string;
  tags: KeyStringValuePair[];
  logs: Array<{ offsetMs: number; data: KeyStringValuePair[] }>;
}

type Node = SpanNode;

/** `<segmentId>-<spanId>`: the id the OAP and the UI give a span. */
const keyOf = (segmentId: string, spanId: number): string => `${segmentId}-${spanId}`;

/**
 * A trace's segments as one list of spans in tree order (depth first, children by start time):
 * children by `parentSpanId` inside a segment and by the first ref across segments. Walked with
 * an explicit stack, so a trace nested thousands deep costs memory, never the call stack; a span
 * whose parents loop back to it is shown once, as a root.
 */
export function spanViews(segments: readonly SegmentObject[]): SpanView[] {
  const { nodes, roots } = spanTree(segments);
  let start = Infinity;
  for (const n of nodes.values()) start = Math.min(start, n.span.startTime);
  const out: SpanView[] = [];
  const seen = new Set<Node>();
  const stack: Array<{ node: Node; depth: number; parentId: string }> = [];
  const pushAll = (list: Node[], depth: number, parentId: string): void => {
    const sorted = [...list].sort(byStart);
    for (let i = sorted.length - 1; i >= 0; i--) stack.push({ node: sorted[i]!, depth, parentId });
  };
  const visit = (first: Node[]): void => {
    pushAll(first, 0, '');
    while (stack.length > 0) {
      const { node, depth, parentId } = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      out.push(viewOf(node, depth, parentId, start, nodes));
      pushAll(node.children, depth + 1, keyOf(node.seg.traceSegmentId, node.span.spanId));
    }
  };
  visit(roots);
  // spans in a parent loop are reachable from no root: show each loop from its earliest span
  const left = [...nodes.values()].filter((n) => !seen.has(n));
  while (left.length > 0) {
    visit([left.sort(byStart).shift()!]);
    for (let i = left.length - 1; i >= 0; i--) if (seen.has(left[i]!)) left.splice(i, 1);
  }
  return out;
}

function viewOf(n: Node, depth: number, parentId: string, traceStart: number, nodes: Map<string, Node>): SpanView {
  const s = n.span;
  const ref = s.refs[0];
  const linkedAcross = ref !== undefined;
  const missing =
    ref && !nodes.has(spanKey(ref.parentTraceSegmentId, ref.parentSpanId))
      ? `${ref.parentService} ${ref.parentEndpoint}`.trim()
      : '';
  return {
    id: keyOf(n.seg.traceSegmentId, s.spanId),
    parentId,
    depth,
    segmentId: n.seg.traceSegmentId,
    spanId: s.spanId,
    service: n.seg.service,
    serviceInstance: n.seg.serviceInstance,
    operationName: s.operationName,
    type: SPAN_TYPE_NAMES[s.spanType] ?? String(s.spanType),
    layer: SPAN_LAYER_NAMES[s.spanLayer] ?? String(s.spanLayer),
    component: s.componentId ? componentName(s.componentId) : '',
    peer: s.peer,
    offsetMs: s.startTime - traceStart,
    durationMs: Math.max(0, s.endTime - s.startTime),
    isError: s.isError,
    link: linkedAcross ? (REF_TYPE_NAMES[ref.refType] ?? String(ref.refType)) : '',
    missingParent: missing,
    tags: s.tags,
    logs: s.logs.map((l) => ({ offsetMs: l.time - traceStart, data: l.data })),
  };
}
