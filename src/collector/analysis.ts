import { componentName, componentServerName } from '../base/components';
import { RefType, type SegmentObject, SpanLayer, type SpanObject, SpanType } from '../base/model';

/**
 * The OAP's segment analysis (agent-analyzer: RPCAnalysisListener, NetworkAddressAliasMappingListener,
 * VirtualDatabase/Cache/MQ processors), reduced to what a topology, endpoint list and slow-statement
 * view need, plus the problems the OAP would silently punish. Pure: segments in, analysis out.
 */

export const USER = 'User';

export type NodeLayer = 'GENERAL' | 'UNDEFINED' | 'VIRTUAL_DATABASE' | 'VIRTUAL_CACHE' | 'VIRTUAL_MQ' | 'FAAS' | 'USER';

export interface TopologyNode {
  name: string;
  /** Component (server) name shown as the node type, or 'USER'. */
  type: string;
  real: boolean;
  layer: NodeLayer;
}

export interface TopologyEdge {
  source: string;
  target: string;
  /** Component names seen on this edge. */
  components: string[];
  /** 'server' when the callee reported it (Entry span), 'client' when the caller did (Exit span). */
  detectPoints: Array<'client' | 'server'>;
  /** Calls seen on this edge: the callee's Entry spans, or the caller's Exit spans where there are more. */
  calls: number;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface EndpointRelation {
  source: { service: string; endpoint: string };
  target: { service: string; endpoint: string };
}

export interface SlowStatement {
  service: string;
  database: string;
  statement: string;
  latencyMs: number;
  traceId: string;
  /** `<segmentId>-<spanId>`, as the OAP ids it. */
  id: string;
}

export interface Problem {
  traceId: string;
  segmentId: string;
  service: string;
  message: string;
}

export interface ServiceSummary {
  name: string;
  instances: string[];
  endpoints: string[];
}

export interface Analysis {
  services: ServiceSummary[];
  topology: Topology;
  endpointRelations: EndpointRelation[];
  slowStatements: SlowStatement[];
  problems: Problem[];
}

export interface AnalysisOptions {
  /** Slow DB thresholds by lowercase db.type, ms; `default` for others (OAP: default 200, mongodb 100). */
  slowDbThresholds?: Record<string, number>;
}

const DEFAULT_SLOW: Record<string, number> = { default: 200, mongodb: 100 };
/** Epoch ms of 2000-01-01 and 2200-01-01: start times outside are not epoch milliseconds. */
const MIN_MS = 946_684_800_000;
const MAX_MS = 7_258_118_400_000;

function remoteLayer(layer: number): NodeLayer {
  switch (layer) {
    case SpanLayer.Database:
      return 'VIRTUAL_DATABASE';
    case SpanLayer.Cache:
      return 'VIRTUAL_CACHE';
    case SpanLayer.MQ:
      return 'VIRTUAL_MQ';
    case SpanLayer.FAAS:
      return 'FAAS';
    case SpanLayer.Unknown:
      return 'UNDEFINED';
    default:
      return 'GENERAL';
  }
}

function tag(span: SpanObject, key: string): string | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

interface EdgeAcc {
  source: string;
  target: string;
  components: Set<string>;
  detectPoints: Set<'client' | 'server'>;
  server: number;
  client: number;
}

/** A step of building the topology, replayed in order when traces are merged. */
type TopologyOp =
  /** Add a node unless one is there (a real one replaces a conjectured one). */
  | { k: 'node'; name: string; node: Omit<TopologyNode, 'name'> }
  /** Set the node of a service whose Entry span names its component. */
  | { k: 'set'; node: TopologyNode }
  | { k: 'edge'; source: string; target: string; component: string; point: 'client' | 'server' }
  /** An Exit span's call to `peer`: to the service that peer is an alias of, else to a conjectured node. */
  | { k: 'exit'; service: string; peer: string; component: string; type: string; layer: NodeLayer };

/**
 * What one trace contributes to the analysis, worked out from that trace alone: once per change of
 * the trace, so the store-wide analysis is a cheap merge. Only Exit spans wait for the merge, since
 * the service behind a peer address may be named by another trace.
 */
export interface TracePartial {
  /** networkAddressUsedAtPeer -> service, from non-MQ Entry spans' cross-process refs. */
  aliases: Array<[string, string]>;
  services: Map<string, { instances: Set<string>; endpoints: Set<string> }>;
  ops: TopologyOp[];
  endpointRelations: Map<string, EndpointRelation>;
  slowStatements: SlowStatement[];
  problems: Problem[];
  /** Exit spans (HTTP/RPC/unknown layer, with a peer) that no segment of the trace continues (at most 20). */
  unanswered: UnansweredExit[];
  /** Spans per edge: `server` Entry spans keyed source/target, `client` Exit spans keyed service/peer. */
  calls: Map<string, { source: string; target: string; point: 'client' | 'server'; n: number }>;
}

/** An Exit span no received segment refers to: a call whose callee started a trace of its own, or never reported. */
export interface UnansweredExit {
  traceId: string;
  segmentId: string;
  service: string;
  spanId: number;
  operationName: string;
  peer: string;
}

const MAX_UNANSWERED = 20;

/** What analyzeTrace gathers while the rules run over one trace. */
class TraceAcc {
  readonly services = new Map<string, { instances: Set<string>; endpoints: Set<string> }>();
  readonly ops: TopologyOp[] = [];
  private readonly seenOps = new Set<string>();
  readonly aliases: Array<[string, string]> = [];
  readonly endpointRelations = new Map<string, EndpointRelation>();
  readonly slowStatements: SlowStatement[] = [];
  readonly problems: Problem[] = [];
  readonly unanswered: UnansweredExit[] = [];
  readonly calls = new Map<string, { source: string; target: string; point: 'client' | 'server'; n: number }>();

  constructor(
    readonly slowThresholds: Record<string, number>,
    /** `<segmentId>\u0000<spanId>` of the Exit spans some segment of the trace continues. */
    readonly answered: Set<string>,
    readonly segmentsById: Map<string, SegmentObject>,
  ) {}

  serviceOf(name: string): { instances: Set<string>; endpoints: Set<string> } {
    let s = this.services.get(name);
    if (!s) {
      s = { instances: new Set(), endpoints: new Set() };
      this.services.set(name, s);
    }
    return s;
  }

  /** Ops other than `set` are idempotent once done: keep the first of each. */
  op(o: TopologyOp): void {
    if (o.k === 'set') {
      const last = this.ops[this.ops.length - 1];
      if (
        last?.k === 'set' &&
        last.node.name === o.node.name &&
        last.node.type === o.node.type &&
        last.node.layer === o.node.layer
      )
        return;
      this.ops.push(o);
      return;
    }
    const key = JSON.stringify(o);
    if (this.seenOps.has(key)) return;
    this.seenOps.add(key);
    this.ops.push(o);
  }

  node(name: string, n: Omit<TopologyNode, 'name'>): void {
    this.op({ k: 'node', name, node: n });
  }

  edge(source: string, target: string, component: string, point: 'client' | 'server'): void {
    this.op({ k: 'edge', source, target, component, point });
  }

  count(source: string, target: string, point: 'client' | 'server'): void {
    const key = `${point}\u0000${source}\u0000${target}`;
    const c = this.calls.get(key);
    if (c) c.n++;
    else this.calls.set(key, { source, target, point, n: 1 });
  }

  problemOf(seg: SegmentObject): (message: string) => void {
    return (message) =>
      this.problems.push({ traceId: seg.traceId, segmentId: seg.traceSegmentId, service: seg.service, message });
  }
}

/** networkAddressUsedAtPeer -> service, from the non-MQ Entry spans' cross-process refs (the OAP's alias mapping). */
function aliasesOf(segments: readonly SegmentObject[]): Array<[string, string]> {
  const aliases: Array<[string, string]> = [];
  for (const seg of segments) {
    for (const span of seg.spans) {
      if (span.spanType !== SpanType.Entry || span.skipAnalysis || span.spanLayer === SpanLayer.MQ) continue;
      for (const ref of span.refs) {
        if (ref.refType === RefType.CrossProcess && ref.networkAddressUsedAtPeer !== '')
          aliases.push([ref.networkAddressUsedAtPeer, seg.service]);
      }
    }
  }
  return aliases;
}

/** The Exit spans some segment of this trace continues (its cross-process refs point at them). */
function answeredExits(segments: readonly SegmentObject[]): Set<string> {
  const answered = new Set<string>();
  for (const seg of segments)
    for (const span of seg.spans)
      for (const ref of span.refs)
        if (ref.refType === RefType.CrossProcess) answered.add(`${ref.parentTraceSegmentId}\u0000${ref.parentSpanId}`);
  return answered;
}

/** Rule: a segment the OAP can index (spans, a service, unique span ids, a span 0). Returns its span ids. */
function segmentShapeRule(seg: SegmentObject, problem: (m: string) => void): Set<number> {
  if (seg.service === '') problem('segment has an empty service name');
  const ids = new Set<number>();
  for (const span of seg.spans) {
    if (ids.has(span.spanId)) problem(`duplicate span id ${span.spanId}`);
    ids.add(span.spanId);
  }
  if (!ids.has(0)) problem('segment has no span 0 (the OAP cannot index it: no first span)');
  return ids;
}

/** Rule: epoch-ms start times, parents within the segment. */
function spanShapeRule(span: SpanObject, ids: Set<number>, problem: (m: string) => void): void {
  if (span.startTime < MIN_MS || span.startTime > MAX_MS)
    problem(`span ${span.spanId} '${span.operationName}' starts at ${span.startTime}: not epoch milliseconds`);
  if (span.parentSpanId !== -1 && !ids.has(span.parentSpanId))
    problem(`span ${span.spanId} '${span.operationName}' has parent ${span.parentSpanId}, which is not in the segment`);
}

/** Rule: every ref points at a received segment's Exit span whose peer is the sw8 address, in the same trace. */
function refRule(acc: TraceAcc, seg: SegmentObject, span: SpanObject, problem: (m: string) => void): void {
  for (const ref of span.refs) {
    const parent = acc.segmentsById.get(ref.parentTraceSegmentId);
    if (!parent) {
      problem(
        `span ${span.spanId} refers to segment ${ref.parentTraceSegmentId} (${ref.parentService}), which never arrived`,
      );
      continue;
    }
    const parentSpan = parent.spans.find((s) => s.spanId === ref.parentSpanId);
    if (!parentSpan) {
      problem(
        `span ${span.spanId} refers to span ${ref.parentSpanId} of ${parent.service}'s segment, which has no such span`,
      );
    } else if (ref.refType === RefType.CrossProcess) {
      if (parentSpan.spanType !== SpanType.Exit) {
        problem(
          `span ${span.spanId} refers to ${parent.service}'s span ${ref.parentSpanId} '${parentSpan.operationName}', which is not an Exit span`,
        );
      } else if (parentSpan.peer !== ref.networkAddressUsedAtPeer) {
        problem(
          `sw8 address '${ref.networkAddressUsedAtPeer}' does not match ${parent.service}'s exit peer '${parentSpan.peer}' (the OAP cannot merge '${parentSpan.peer}' with ${seg.service})`,
        );
      }
    }
    if (ref.traceId !== seg.traceId)
      problem(`span ${span.spanId} has a ref with trace id ${ref.traceId}, not the segment's ${seg.traceId}`);
  }
}

/** Rule (RPCAnalysisListener, Entry): the service's endpoint, its node type, and the edge into it (from the caller, an MQ, or User). */
function entryRule(acc: TraceAcc, seg: SegmentObject, span: SpanObject, component: string): void {
  const svc = acc.serviceOf(seg.service);
  if (span.operationName !== '') svc.endpoints.add(span.operationName);
  if (span.componentId !== 0)
    acc.op({
      k: 'set',
      node: {
        name: seg.service,
        type: componentServerName(span.componentId),
        real: true,
        layer: span.spanLayer === SpanLayer.FAAS ? 'FAAS' : 'GENERAL',
      },
    });
  if (span.refs.length > 0) {
    for (const ref of span.refs) {
      const mq = span.spanLayer === SpanLayer.MQ;
      const source = mq ? ref.networkAddressUsedAtPeer : ref.parentService;
      if (mq) acc.node(source, { type: component, real: false, layer: 'VIRTUAL_MQ' });
      acc.edge(source, seg.service, component, 'server');
      acc.count(source, seg.service, 'server');
      const srcEndpoint = ref.parentEndpoint === '' ? USER : ref.parentEndpoint;
      addEndpointRelation(acc.endpointRelations, ref.parentService, srcEndpoint, seg.service, span.operationName);
    }
  } else if (span.spanLayer === SpanLayer.MQ && span.peer !== '') {
    acc.node(span.peer, { type: component, real: false, layer: 'VIRTUAL_MQ' });
    acc.edge(span.peer, seg.service, component, 'server');
    acc.count(span.peer, seg.service, 'server');
  } else {
    acc.node(USER, { type: 'USER', real: false, layer: 'USER' });
    acc.edge(USER, seg.service, component, 'server');
    acc.count(USER, seg.service, 'server');
    addEndpointRelation(acc.endpointRelations, USER, USER, seg.service, span.operationName);
  }
}

/** A peer as the OAP reads it: `host[:port]` (a name, an IPv4 or a bracketed IPv6), comma-separated. */
const PEER_ADDRESS =
  /^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:,(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?)*$/;

/**
 * Whether an Exit span's peer was made up rather than set: a tracer that injects sw8 with no peer
 * uses the operation name (ours does, with a warning), which is no network address.
 */
export function peerMadeUp(span: SpanObject): boolean {
  return span.peer === span.operationName || span.peer === 'unknown' || !PEER_ADDRESS.test(span.peer);
}

/** Rule (RPCAnalysisListener, Exit): a client-side relation to the peer; no peer, or one made up, is a problem. */
function exitRule(
  acc: TraceAcc,
  seg: SegmentObject,
  span: SpanObject,
  component: string,
  problem: (m: string) => void,
): void {
  if (span.peer === '') {
    problem(`Exit span ${span.spanId} '${span.operationName}' has no peer (the OAP skips it: no client-side relation)`);
    return;
  }
  if (peerMadeUp(span))
    problem(
      `Exit span ${span.spanId} '${span.operationName}' has peer '${span.peer}', which is no network address: it was made up because no peer was set before inject (the OAP draws a node '${span.peer}' instead of linking the callee). ` +
        'Set the peer: OpenTracing peer.hostname + peer.port, OpenTelemetry server.address + server.port',
    );
  acc.op({
    k: 'exit',
    service: seg.service,
    peer: span.peer,
    component,
    type: componentServerName(span.componentId),
    layer: remoteLayer(span.spanLayer),
  });
  acc.count(seg.service, span.peer, 'client');
  const carriesSw8 =
    span.spanLayer === SpanLayer.Http ||
    span.spanLayer === SpanLayer.RPCFramework ||
    span.spanLayer === SpanLayer.Unknown;
  if (
    carriesSw8 &&
    acc.unanswered.length < MAX_UNANSWERED &&
    !acc.answered.has(`${seg.traceSegmentId}\u0000${span.spanId}`)
  ) {
    acc.unanswered.push({
      traceId: seg.traceId,
      segmentId: seg.traceSegmentId,
      service: seg.service,
      spanId: span.spanId,
      operationName: span.operationName,
      peer: span.peer,
    });
  }
}

/** Rule: a Local span with refs (a cross-thread continuation) relates its endpoint to the parent's. */
function localRule(acc: TraceAcc, seg: SegmentObject, span: SpanObject): void {
  for (const ref of span.refs) {
    addEndpointRelation(
      acc.endpointRelations,
      ref.parentService,
      ref.parentEndpoint === '' ? USER : ref.parentEndpoint,
      seg.service,
      span.operationName,
    );
  }
}

/** Rule (slow DB statements): a Database span with db.type and a statement, slower than its type's threshold. */
function slowStatementRule(acc: TraceAcc, seg: SegmentObject, span: SpanObject): void {
  if (span.spanLayer !== SpanLayer.Database) return;
  const dbType = tag(span, 'db.type');
  const statement = tag(span, 'db.statement');
  const threshold = acc.slowThresholds[dbType?.toLowerCase() ?? ''] ?? acc.slowThresholds.default!;
  const latency = span.endTime - span.startTime;
  if (dbType !== undefined && statement !== undefined && statement.trim() !== '' && latency > threshold) {
    acc.slowStatements.push({
      service: seg.service,
      database: span.peer,
      statement: statement.slice(0, 2000),
      latencyMs: latency,
      traceId: seg.traceId,
      id: `${seg.traceSegmentId}-${span.spanId}`,
    });
  }
}

/** Rule: a Cache span needs cache.type for the OAP to count it as a cache access. */
function cacheRule(span: SpanObject, problem: (m: string) => void): void {
  if (span.spanLayer === SpanLayer.Cache && tag(span, 'cache.type') === undefined)
    problem(
      `Cache span ${span.spanId} '${span.operationName}' has no cache.type tag (the OAP ignores it as a cache access)`,
    );
}

/** Every rule over one span, in the OAP's order. */
function spanRules(
  acc: TraceAcc,
  seg: SegmentObject,
  span: SpanObject,
  ids: Set<number>,
  problem: (m: string) => void,
): void {
  spanShapeRule(span, ids, problem);
  refRule(acc, seg, span, problem);
  if (span.skipAnalysis) return;
  const component = componentName(span.componentId);
  if (span.spanType === SpanType.Entry) entryRule(acc, seg, span, component);
  else if (span.spanType === SpanType.Exit) exitRule(acc, seg, span, component, problem);
  else if (span.refs.length > 0) localRule(acc, seg, span);
  slowStatementRule(acc, seg, span);
  cacheRule(span, problem);
}

/** The analysis of one trace's segments (refs are looked up among them), before merging. */
export function analyzeTrace(segments: readonly SegmentObject[], options: AnalysisOptions = {}): TracePartial {
  const acc = new TraceAcc(
    { ...DEFAULT_SLOW, ...(options.slowDbThresholds ?? {}) },
    answeredExits(segments),
    new Map(segments.map((s) => [s.traceSegmentId, s])),
  );
  acc.aliases.push(...aliasesOf(segments));
  for (const seg of segments) {
    const problem = acc.problemOf(seg);
    if (seg.spans.length === 0) {
      problem('segment has no spans (the OAP drops it)');
      continue;
    }
    const ids = segmentShapeRule(seg, problem);
    acc.serviceOf(seg.service).instances.add(seg.serviceInstance);
    acc.node(seg.service, { type: 'Unknown', real: true, layer: 'GENERAL' });
    for (const span of seg.spans) spanRules(acc, seg, span, ids, problem);
  }
  const { aliases, services, ops, endpointRelations, slowStatements, problems, unanswered, calls } = acc;
  return { aliases, services, ops, endpointRelations, slowStatements, problems, unanswered, calls };
}

/** The analysis of many traces from their partials (aliases first, then each trace's steps in order). */
export function mergePartials(partials: Iterable<TracePartial>): Analysis {
  const list = [...partials];
  const alias = new Map<string, string>();
  for (const p of list) for (const [peer, service] of p.aliases) alias.set(peer, service);
  const services = new Map<string, { instances: Set<string>; endpoints: Set<string> }>();
  const nodes = new Map<string, TopologyNode>();
  const edges = new Map<string, EdgeAcc>();
  const endpointRelations = new Map<string, EndpointRelation>();
  const slowStatements: SlowStatement[] = [];
  const problems: Problem[] = [];
  const node = (name: string, n: Omit<TopologyNode, 'name'>) => {
    const existing = nodes.get(name);
    // a real service beats a conjectured node; a server-side type beats a client-side guess
    if (!existing || (!existing.real && n.real)) nodes.set(name, { name, ...n });
  };
  const edge = (source: string, target: string, component: string, point: 'client' | 'server') => {
    const key = `${source}\u0000${target}`;
    let e = edges.get(key);
    if (!e) {
      e = { source, target, components: new Set(), detectPoints: new Set(), server: 0, client: 0 };
      edges.set(key, e);
    }
    e.components.add(component);
    e.detectPoints.add(point);
  };
  for (const p of list) {
    for (const [name, s] of p.services) {
      let acc = services.get(name);
      if (!acc) {
        acc = { instances: new Set(), endpoints: new Set() };
        services.set(name, acc);
      }
      for (const i of s.instances) acc.instances.add(i);
      for (const e of s.endpoints) acc.endpoints.add(e);
    }
    for (const o of p.ops) {
      if (o.k === 'node') node(o.name, o.node);
      else if (o.k === 'set') nodes.set(o.node.name, o.node);
      else if (o.k === 'edge') edge(o.source, o.target, o.component, o.point);
      else {
        const real = alias.get(o.peer);
        const target = real ?? o.peer;
        if (!real) node(target, { type: o.type, real: false, layer: o.layer });
        edge(o.service, target, o.component, 'client');
      }
    }
    for (const [k, r] of p.endpointRelations) if (!endpointRelations.has(k)) endpointRelations.set(k, r);
    for (const s of p.slowStatements) slowStatements.push(s);
    for (const pr of p.problems) problems.push(pr);
    for (const c of p.calls.values()) {
      const target = c.point === 'client' ? (alias.get(c.target) ?? c.target) : c.target;
      const e = edges.get(`${c.source}\u0000${target}`);
      if (e) e[c.point] += c.n;
    }
    // a call to an address a known service answers on, which that service did not continue: the
    // caller sent no sw8 (or one the callee could not read), so the callee started a new trace
    for (const x of p.unanswered) {
      const callee = alias.get(x.peer);
      if (callee === undefined || callee === x.service) continue;
      problems.push({
        traceId: x.traceId,
        segmentId: x.segmentId,
        service: x.service,
        message:
          `Exit span ${x.spanId} '${x.operationName}' calls ${x.peer}, which is ${callee}, but no segment of ${callee} continues it: ${callee} received no sw8 from this call and started a trace of its own. ` +
          `Usually the caller does not inject: with OpenTelemetry, set textMapPropagator: new SkyWalkingPropagator() (or OTEL_PROPAGATORS) and instrument the client; with OpenTracing, call tracer.inject before the request`,
      });
    }
  }
  return {
    services: [...services]
      .map(([name, s]) => ({ name, instances: [...s.instances].sort(), endpoints: [...s.endpoints].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    topology: {
      nodes: [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name)),
      edges: [...edges.values()]
        .map((e) => ({
          source: e.source,
          target: e.target,
          components: [...e.components].sort(),
          detectPoints: [...e.detectPoints].sort(),
          calls: Math.max(e.server, e.client),
        }))
        .sort((a, b) => (a.source === b.source ? a.target.localeCompare(b.target) : a.source.localeCompare(b.source))),
    },
    endpointRelations: [...endpointRelations.values()],
    slowStatements,
    problems,
  };
}

/** Analyse segments with the OAP's rules: each trace on its own (refs are looked up within it), then merged. */
export function analyze(segments: readonly SegmentObject[], options: AnalysisOptions = {}): Analysis {
  const byTrace = new Map<string, SegmentObject[]>();
  for (const seg of segments) {
    let t = byTrace.get(seg.traceId);
    if (!t) {
      t = [];
      byTrace.set(seg.traceId, t);
    }
    t.push(seg);
  }
  return mergePartials([...byTrace.values()].map((t) => analyzeTrace(t, options)));
}

function addEndpointRelation(
  acc: Map<string, EndpointRelation>,
  srcService: string,
  srcEndpoint: string,
  service: string,
  endpoint: string,
): void {
  if (srcEndpoint === '' || endpoint === '') return;
  const key = [srcService, srcEndpoint, service, endpoint].join('\u0000');
  if (!acc.has(key))
    acc.set(key, { source: { service: srcService, endpoint: srcEndpoint }, target: { service, endpoint } });
}
