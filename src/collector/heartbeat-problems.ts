import type { Problem } from './analysis';
import type { CollectorStore } from './store';

/** Agents send a heartbeat every 30 s at most (ours within a second of starting): past this, silence is a problem. */
export const HEARTBEAT_GRACE_MS = 60_000;

/** A service that reports segments but never a heartbeat, as a problem linked to its first trace. */
export function heartbeatProblems(store: CollectorStore, now: number, graceMs = HEARTBEAT_GRACE_MS): Problem[] {
  return store.silentServices(now, graceMs).map((s) => ({
    traceId: s.traceId,
    segmentId: s.segmentId,
    service: s.service,
    message:
      `${s.service} has reported segments for ${Math.round((now - s.since) / 1000)} s but never a heartbeat (keepAlive / instance properties): the OAP will list no instance for it. ` +
      'Check that its agent reaches the collector for ManagementService too (a proxy that forwards only TraceSegmentReportService, or a reporter built without the heartbeat)',
  }));
}
