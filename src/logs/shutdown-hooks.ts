/**
 * Log paths that hold records off the application thread (`skywalkingDestination`) register how to
 * send them here; the zero-code start runs these at SIGTERM/SIGINT beside the SDK's shutdown, since
 * a process ended by a re-raised signal runs no `exit` handlers. Process-wide (one registry for every
 * copy of this package in the process). Never throws.
 */
const KEY = Symbol.for('skywalking-bridge.log-shutdown-hooks');

function hooks(): Set<() => Promise<unknown>> {
  const g = globalThis as { [KEY]?: Set<() => Promise<unknown>> };
  return (g[KEY] ??= new Set());
}

/** Register `close`; the returned function unregisters it. */
export function onLogShutdown(close: () => Promise<unknown>): () => void {
  const set = hooks();
  set.add(close);
  return () => set.delete(close);
}

/** Run every registered hook; resolves when all have settled. */
export function closeLogPaths(): Promise<void> {
  const all = [...hooks()].map((close) => {
    try {
      return close();
    } catch {
      return undefined;
    }
  });
  return Promise.allSettled(all).then(() => undefined);
}
