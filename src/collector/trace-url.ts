/**
 * The API path of one trace. Routes match the raw path and decode each segment, so any id opens as
 * `/api/traces/<encodeURIComponent(id)>` (`order/7` as `order%2F7`) — except `.` and `..`, which
 * every URL parser folds away as dot segments even percent-encoded: those open as `/api/trace?id=`.
 */
export function traceUrl(traceId: string): string {
  if (traceId === '.' || traceId === '..') return `/api/trace?id=${encodeURIComponent(traceId)}`;
  return `/api/traces/${encodeURIComponent(traceId)}`;
}
