/**
 * `skywalking-bridge/collector`: the embedded collector (a stand-in for the OAP's agent protocol,
 * with a JSON HTTP API and a web UI) and what it computes: `analyze` (services, endpoints,
 * relations and problems of a set of segments, as the OAP's analysis gives them) and the text
 * printers of a trace, the topology and the problems. `startCollector` is on the root entry too.
 */
export { analyze, renderProblems, renderTopology, renderTrace, startCollector } from '../collector';
export type {
  AgentEvent,
  Analysis,
  AnalysisOptions,
  Collector,
  CollectorOptions,
  EndpointRelation,
  InstanceRecord,
  InstanceTelemetry,
  LogPage,
  LogQuery,
  MeterValue,
  Problem,
  RuntimeSnapshot,
  SlowStatement,
  StoredLog,
  StoreStats,
  Topology,
  TopologyEdge,
  TopologyNode,
  TraceSummary,
  TraceView,
} from '../collector';
export { componentName } from '../base/components';
export type { KeyStringValuePair, LogObject, SegmentObject, SegmentReference, SpanObject } from '../base/model';
export { RefType, SpanLayer, SpanType } from '../base/model';
