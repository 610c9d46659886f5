/**
 * Span and log times as they enter (both front-ends): epoch milliseconds the OAP can store.
 *
 * A time is taken when it is a number from 2000-01-01T00:00:00Z up to one day after now (clock
 * skew between hosts is far less; a day leaves room for a wrong time zone). Anything else —
 * NaN, ±Infinity, negative, 1e20, 2^63, an hrtime tuple that counts from process start rather
 * than from the epoch (`process.hrtime()`), a seconds or microseconds value — is not a time the
 * OAP could store meaningfully: the caller uses now instead (for an end: now, but not before the
 * start) and counts it. An end before its start becomes a zero duration.
 */

/** 2000-01-01T00:00:00Z in epoch ms: earlier times are taken as not epoch-based. */
export const EARLIEST_EPOCH_MS = 946_684_800_000;
/** How far after now a time may lie (ms): one day. */
export const MAX_AHEAD_MS = 86_400_000;

/** `time` as whole epoch ms when it is a plausible one (see above), else NaN. Pure. */
export function checkedEpochMs(time: unknown, now: number): number {
  if (typeof time !== 'number' || !(time >= EARLIEST_EPOCH_MS && time <= now + MAX_AHEAD_MS)) return NaN;
  return Math.trunc(time);
}

/**
 * An OpenTelemetry `HrTime` ([seconds, nanoseconds] since the epoch) as epoch ms (nanoseconds
 * truncated), or NaN when it is not a pair of finite numbers with 0 <= ns < 1e9. Whether it is
 * epoch-based is for `checkedEpochMs` to say. Pure.
 */
export function hrTimeToEpochMs(t: unknown): number {
  if (!Array.isArray(t) || t.length !== 2) return NaN;
  const s: unknown = t[0];
  const ns: unknown = t[1];
  if (typeof s !== 'number' || typeof ns !== 'number' || !Number.isFinite(s) || !(ns >= 0 && ns < 1e9)) return NaN;
  return s * 1000 + Math.trunc(ns / 1e6);
}
