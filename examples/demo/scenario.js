'use strict';
// What the demo expects of its traces, checked against what the collector received.
// Shared by examples/demo/run.js and the demo's test.
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
/** frontend, server-1, and server-2 twice. */
const SEGMENTS_PER_TRACE = 4;
const EXPECTED_EDGES = ['User -> frontend', 'frontend -> server-1', 'server-1 -> server-2'];
const SERVICES = ['frontend', 'server-1', 'server-2'];
/** server-1 logs once through pino (in fetch-users), server-2 once per request through winston (in user.lookup). */
const LOGS_PER_TRACE = 3;
const LOG_SPANS = { 'server-1': 'fetch-users', 'server-2': 'user.lookup' };

/** Resolve when each trace has its logs (they travel apart from the segments; rejects after 15 s). */
async function waitForLogs(collector, traceIds) {
  return collector
    .waitFor(() => traceIds.every((id) => collector.traceLogs(id).length >= LOGS_PER_TRACE), 15_000)
    .catch(() => undefined); // check() names what is missing
}

/** Each log of a trace sits under the span that wrote it: the right service and operation. */
function logFailures(collector, traceId) {
  const failures = [];
  const logs = collector.traceLogs(traceId);
  if (logs.length !== LOGS_PER_TRACE) failures.push(`expected ${LOGS_PER_TRACE} logs, got ${logs.length}`);
  const segments = collector.trace(traceId);
  for (const l of logs) {
    const seg = l.traceContext && segments.find((s) => s.traceSegmentId === l.traceContext.traceSegmentId);
    const span = seg && seg.spans.find((s) => s.spanId === l.traceContext.spanId);
    if (!span) failures.push(`log "${l.content.slice(0, 40)}" of ${l.service} is under no received span`);
    else if (span.operationName !== LOG_SPANS[seg.service])
      failures.push(`log of ${seg.service} is under ${span.operationName}, expected ${LOG_SPANS[seg.service]}`);
  }
  return failures;
}

/** Resolve with the trace ids of `count` complete demo traces (polls; rejects after 30 s). */
async function waitForTraces(collector, count, progress = () => undefined) {
  let last = -1;
  return collector
    .waitFor(() => {
      const segments = collector.segments();
      if (segments.length !== last) progress((last = segments.length));
      const complete = collector
        .traceIds()
        .filter(
          (id) =>
            collector.trace(id).length >= SEGMENTS_PER_TRACE &&
            collector.trace(id).some((s) => s.service === 'frontend'),
        );
      return complete.length >= count ? complete : undefined;
    }, 30_000)
    .catch((err) => {
      const lines = collector.traceIds().map((id) => {
        const segs = collector.trace(id);
        return `  trace ${id}: ${segs.map((s) => `${s.service}[${s.spans.map((x) => `${x.spanId}:${x.operationName}${x.refs.length ? `<-${x.refs[0].parentService}/${x.refs[0].parentSpanId}` : ''}`).join(' ')}]`).join(', ')}`;
      });
      throw new Error(`${err.message}\nreceived:\n${lines.join('\n')}`);
    });
}

/** Every check of one trace: one trace id, each ref resolves to a received Exit span with the same peer. */
function linkFailures(segments) {
  const failures = [];
  const byId = new Map(segments.map((s) => [s.traceSegmentId, s]));
  const count = (service) => segments.filter((s) => s.service === service).length;
  for (const [service, n] of [
    ['frontend', 1],
    ['server-1', 1],
    ['server-2', 2],
  ]) {
    if (count(service) !== n) failures.push(`expected ${n} segment(s) of ${service}, got ${count(service)}`);
  }
  for (const seg of segments) {
    if (seg.traceId !== segments[0].traceId) failures.push(`${seg.service}: trace id ${seg.traceId} differs`);
    if (seg.service === 'frontend') continue;
    const entry = seg.spans.find((s) => s.spanId === 0);
    const ref = entry && entry.refs[0];
    if (!entry || entry.spanType !== 0) {
      failures.push(`${seg.service}: span 0 is not an Entry span`);
      continue;
    }
    if (!ref) {
      failures.push(`${seg.service}: Entry span has no ref (a broken link: the trace restarted here)`);
      continue;
    }
    const parent = byId.get(ref.parentTraceSegmentId);
    if (!parent) {
      failures.push(`${seg.service}: ref points at segment ${ref.parentTraceSegmentId}, which never arrived`);
      continue;
    }
    const exit = parent.spans.find((s) => s.spanId === ref.parentSpanId);
    if (!exit || exit.spanType !== 1)
      failures.push(`${seg.service}: ref points at span ${ref.parentSpanId} of ${parent.service}, not an Exit span`);
    else if (exit.peer !== ref.networkAddressUsedAtPeer) {
      failures.push(
        `${seg.service}: sw8 address ${ref.networkAddressUsedAtPeer} != ${parent.service}'s exit peer ${exit.peer}`,
      );
    }
    if (ref.parentService !== parent.service)
      failures.push(`${seg.service}: ref parentService ${ref.parentService} != ${parent.service}`);
    if (ref.parentServiceInstance !== parent.serviceInstance)
      failures.push(`${seg.service}: ref parentServiceInstance differs`);
  }
  return failures;
}

/** The demo's verdict: failures (empty when everything linked) and the rendered trace + topology. */
function check(collector, traceIds) {
  const { renderTrace, renderTopology } = require(join(ROOT, 'dist', 'collector', 'render'));
  const failures = [];
  for (const id of traceIds) {
    for (const f of linkFailures(collector.trace(id))) failures.push(`trace ${id}: ${f}`);
    for (const f of logFailures(collector, id)) failures.push(`trace ${id}: ${f}`);
  }
  const analysis = collector.analysis();
  for (const p of analysis.problems) failures.push(`collector: ${p.message}`);
  const edges = analysis.topology.edges.map((e) => `${e.source} -> ${e.target}`).sort();
  if (JSON.stringify(edges) !== JSON.stringify([...EXPECTED_EDGES].sort())) {
    failures.push(`topology is [${edges.join(', ')}], expected [${EXPECTED_EDGES.join(', ')}]`);
  }
  const services = analysis.services.map((s) => s.name).sort();
  if (JSON.stringify(services) !== JSON.stringify(SERVICES))
    failures.push(`services are [${services.join(', ')}], expected [${SERVICES.join(', ')}]`);
  const rendered = [
    `Trace ${traceIds[0]}`,
    renderTrace(collector.trace(traceIds[0]), { logs: collector.traceLogs(traceIds[0]) }),
    '',
    'Topology',
    renderTopology(analysis.topology),
  ].join('\n');
  return { failures, rendered, summary: EXPECTED_EDGES.join(', ') };
}

module.exports = {
  SEGMENTS_PER_TRACE,
  LOGS_PER_TRACE,
  EXPECTED_EDGES,
  SERVICES,
  waitForTraces,
  waitForLogs,
  linkFailures,
  logFailures,
  check,
};
