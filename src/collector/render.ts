import { componentName } from '../base/components';
import { SPAN_LAYER_NAMES, SPAN_TYPE_NAMES, type SegmentObject } from '../base/model';
import type { Problem, Topology } from './analysis';
import type { StoredLog } from './logs';
import { type SpanNode, byStart, spanKey, spanTree } from './span-tree';

export interface RenderOptions {
  /** Print each span's tags under it. */
  tags?: boolean;
  /** ANSI colours (only when writing to a terminal). */
  color?: boolean;
  /** The trace's logs: each printed under the span it names (traceSegmentId + spanId), the rest at the end. */
  logs?: readonly StoredLog[];
  /** Deeper spans are not indented further (their line says the depth). Default 32. */
  maxIndent?: number;
}

type Node = SpanNode;
const key = spanKey;
const LOG_CHARS = 300;

/** One line for a log: its level tag, then its content on one line, cut to 300 characters. */
export function logLine(log: StoredLog): string {
  const level = log.tags.find((t) => t.key === 'level')?.value;
  let content = log.content.length > LOG_CHARS ? `${log.content.slice(0, LOG_CHARS)}…` : log.content;
  content = content.replace(/\r?\n/g, '\\n');
  return `log${level ? ` ${level}` : ''}${log.contentType === 'TEXT' || log.contentType === 'NONE' ? '' : ` ${log.contentType}`} ${content}`;
}

const byTime = (a: StoredLog, b: StoredLog) => a.timestamp - b.timestamp || a.seq - b.seq;

/**
 * A trace as a tree across segments: children by parentSpanId inside a segment, and by refs
 * across segments (a span with refs hangs under the span its first ref points at). Walked with an
 * explicit stack, so any depth renders; spans in a parent cycle (reached from no root) are printed
 * at the end as roots of their own.
 */
export function renderTrace(segments: readonly SegmentObject[], options: RenderOptions = {}): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const maxIndent = options.maxIndent ?? 32;
  const { nodes, roots } = spanTree(segments);
  const logsOf = new Map<Node, StoredLog[]>();
  const loose: StoredLog[] = [];
  for (const log of options.logs ?? []) {
    const n = log.traceContext ? nodes.get(key(log.traceContext.traceSegmentId, log.traceContext.spanId)) : undefined;
    if (!n) loose.push(log);
    else {
      const list = logsOf.get(n);
      if (list) list.push(log);
      else logsOf.set(n, [log]);
    }
  }
  const lines: string[] = [];
  const visited = new Set<Node>();
  interface Frame {
    n: Node;
    prefix: string;
    last: boolean;
    top: boolean;
    depth: number;
  }
  const line = ({ n, prefix, last, top, depth }: Frame): string => {
    const s = n.span;
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const type = SPAN_TYPE_NAMES[s.spanType] ?? String(s.spanType);
    const layer = SPAN_LAYER_NAMES[s.spanLayer] ?? String(s.spanLayer);
    const parts = [
      paint('1', n.seg.service),
      s.operationName,
      paint(
        '2',
        `[${type}${s.spanLayer ? ` ${layer}` : ''}${s.componentId ? ` ${componentName(s.componentId)}` : ''}]`,
      ),
    ];
    if (s.peer) parts.push(`-> ${s.peer}`);
    parts.push(`${Math.max(0, s.endTime - s.startTime)} ms`);
    if (s.isError) parts.push(paint('31', 'ERROR'));
    if (s.refs[0] && !nodes.has(key(s.refs[0].parentTraceSegmentId, s.refs[0].parentSpanId))) {
      parts.push(paint('33', `(from ${s.refs[0].parentService} ${s.refs[0].parentEndpoint || '?'}, not received)`));
    }
    return prefix + branch + (depth > maxIndent ? paint('2', `[depth ${depth}] `) : '') + parts.join(' ');
  };
  const walk = (root: Node) => {
    const stack: Frame[] = [{ n: root, prefix: '', last: true, top: true, depth: 0 }];
    while (stack.length > 0) {
      const f = stack.pop()!;
      const { n } = f;
      if (visited.has(n)) continue;
      visited.add(n);
      lines.push(line(f));
      const childPrefix = f.top || f.depth >= maxIndent ? f.prefix : f.prefix + (f.last ? '   ' : '│  ');
      const bar = n.children.length ? '│  ' : '   ';
      if (options.tags)
        for (const t of n.span.tags) lines.push(`${childPrefix}${bar}${paint('2', `${t.key}=${t.value}`)}`);
      for (const log of (logsOf.get(n) ?? []).sort(byTime))
        lines.push(`${childPrefix}${bar}${paint('36', logLine(log))}`);
      const kids = [...n.children].sort(byStart);
      for (let i = kids.length - 1; i >= 0; i--)
        stack.push({ n: kids[i]!, prefix: childPrefix, last: i === kids.length - 1, top: false, depth: f.depth + 1 });
    }
  };
  for (const r of roots.sort(byStart)) walk(r);
  const rest = [...nodes.values()].filter((n) => !visited.has(n));
  if (rest.length > 0) {
    lines.push(
      paint('33', `(${rest.length} span${rest.length === 1 ? '' : 's'} in a parent cycle, reached from no root)`),
    );
    for (const n of rest.sort(byStart)) if (!visited.has(n)) walk(n);
  }
  if (loose.length > 0) {
    lines.push(`logs not matching a span of this trace:`);
    for (const log of loose.sort(byTime)) lines.push(`   ${paint('36', logLine(log))}`);
  }
  return lines.join('\n');
}

/** The topology as a list of edges with their components. */
export function renderTopology(topology: Topology): string {
  if (topology.edges.length === 0) return '(no edges)';
  const width = Math.max(...topology.edges.map((e) => `${e.source} -> ${e.target}`.length));
  return topology.edges
    .map(
      (e) =>
        `${`${e.source} -> ${e.target}`.padEnd(width)}  [${e.components.join(', ')}] (${e.detectPoints.join('+')})`,
    )
    .join('\n');
}

/** Problems, one per line. */
export function renderProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.service} ${p.segmentId}: ${p.message}`).join('\n');
}
