import { componentName } from '../components';
import { SPAN_LAYER_NAMES, SPAN_TYPE_NAMES, type SegmentObject, type SpanObject } from '../model';
import type { Problem, Topology } from './analysis';

export interface RenderOptions {
  /** Print each span's tags under it. */
  tags?: boolean;
  /** ANSI colours (only when writing to a terminal). */
  color?: boolean;
}

interface Node {
  seg: SegmentObject;
  span: SpanObject;
  children: Node[];
}

const key = (segmentId: string, spanId: number) => `${segmentId}\u0000${spanId}`;

/**
 * A trace as a tree across segments: children by parentSpanId inside a segment, and by refs
 * across segments (a span with refs hangs under the span its first ref points at).
 */
export function renderTrace(segments: readonly SegmentObject[], options: RenderOptions = {}): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const nodes = new Map<string, Node>();
  for (const seg of segments) for (const span of seg.spans) nodes.set(key(seg.traceSegmentId, span.spanId), { seg, span, children: [] });
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const ref = n.span.refs[0];
    const parent = ref
      ? nodes.get(key(ref.parentTraceSegmentId, ref.parentSpanId))
      : n.span.parentSpanId >= 0
        ? nodes.get(key(n.seg.traceSegmentId, n.span.parentSpanId))
        : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const byStart = (a: Node, b: Node) => a.span.startTime - b.span.startTime || a.span.spanId - b.span.spanId;
  const lines: string[] = [];
  const walk = (n: Node, prefix: string, last: boolean, top: boolean) => {
    const s = n.span;
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const type = SPAN_TYPE_NAMES[s.spanType] ?? String(s.spanType);
    const layer = SPAN_LAYER_NAMES[s.spanLayer] ?? String(s.spanLayer);
    const parts = [
      paint('1', n.seg.service),
      s.operationName,
      paint('2', `[${type}${s.spanLayer ? ` ${layer}` : ''}${s.componentId ? ` ${componentName(s.componentId)}` : ''}]`),
    ];
    if (s.peer) parts.push(`-> ${s.peer}`);
    parts.push(`${Math.max(0, s.endTime - s.startTime)} ms`);
    if (s.isError) parts.push(paint('31', 'ERROR'));
    if (s.refs[0] && !nodes.has(key(s.refs[0].parentTraceSegmentId, s.refs[0].parentSpanId))) {
      parts.push(paint('33', `(from ${s.refs[0].parentService} ${s.refs[0].parentEndpoint || '?'}, not received)`));
    }
    lines.push(prefix + branch + parts.join(' '));
    const childPrefix = top ? prefix : prefix + (last ? '   ' : '│  ');
    if (options.tags) {
      for (const t of s.tags) lines.push(`${childPrefix}${n.children.length ? '│  ' : '   '}${paint('2', `${t.key}=${t.value}`)}`);
    }
    const kids = [...n.children].sort(byStart);
    kids.forEach((c, i) => walk(c, childPrefix, i === kids.length - 1, false));
  };
  roots.sort(byStart).forEach((r) => walk(r, '', true, true));
  return lines.join('\n');
}

/** The topology as a list of edges with their components. */
export function renderTopology(topology: Topology): string {
  if (topology.edges.length === 0) return '(no edges)';
  const width = Math.max(...topology.edges.map((e) => `${e.source} -> ${e.target}`.length));
  return topology.edges
    .map((e) => `${`${e.source} -> ${e.target}`.padEnd(width)}  [${e.components.join(', ')}] (${e.detectPoints.join('+')})`)
    .join('\n');
}

/** Problems, one per line. */
export function renderProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.service} ${p.segmentId}: ${p.message}`).join('\n');
}
