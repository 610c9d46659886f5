/**
 * Capped exponential backoff with jitter: 1 s, 2 s, 4 s, then 5 s, each +-20 %. Reset on success.
 * The cap is low because an attempt is one TCP connect, and what it delays is delivery after the
 * OAP is back (with a 30 s cap, a 60 s outage ended ~25 s before delivery resumed, the queue full
 * and dropping meanwhile).
 */
export class Backoff {
  private failures = 0;
  private until = 0;

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 5_000,
  ) {}

  /** Record a failure and return the delay before the next attempt. */
  fail(now = Date.now()): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 16));
    this.failures++;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.until = now + delay;
    return delay;
  }

  succeed(): void {
    this.failures = 0;
    this.until = 0;
  }

  /** Milliseconds left before the next attempt is allowed (0 = go). */
  remaining(now = Date.now()): number {
    return Math.max(0, this.until - now);
  }

  get failureCount(): number {
    return this.failures;
  }
}
