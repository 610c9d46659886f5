/** OpenTracing error-log conventions mapped to SkyWalking's error log fields. */

/** True for a log that reports an error: `event: 'error'` or an `error.object`. */
export function isErrorLog(fields: { [key: string]: unknown }): boolean {
  return fields.event === 'error' || fields['error.object'] instanceof Error;
}

/**
 * The fields of an error log as SkyWalking shows them: `event=error`, `error.kind`, `message`,
 * `stack` from `error.object` (an Error) when the log does not give them itself, then the rest.
 */
export function errorLogFields(entries: Array<[string, unknown]>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const given = new Set(entries.map(([k]) => k));
  const err = entries.find(([k]) => k === 'error.object')?.[1];
  out.push(['event', 'error']);
  if (err instanceof Error) {
    if (!given.has('error.kind')) out.push(['error.kind', safeName(err)]);
    if (!given.has('message')) out.push(['message', safeGet(() => err.message)]);
    if (!given.has('stack')) out.push(['stack', safeGet(() => err.stack ?? '')]);
  }
  for (const [k, v] of entries) {
    if (k === 'event' || k === 'error.object') continue;
    out.push([k, v]);
  }
  return out;
}

function safeGet(fn: () => string): string {
  try {
    return String(fn());
  } catch {
    return '';
  }
}

function safeName(err: Error): string {
  return safeGet(() => (err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name));
}
