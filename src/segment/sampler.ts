/** The agents' sampling window: `agent.sample_n_per_3_secs` counts traces per 3 seconds. */
export const SAMPLE_WINDOW_MS = 3000;

/**
 * At most `n` new traces per 3-second window, as the Java agent's `SamplingService`: the count
 * starts at 0 when sampling is turned on and is reset every 3 s from then; a trace continued from
 * an incoming sw8 is recorded anyway and counts (`force`), so traces started here get fewer
 * places when many come in. `n` ≤ 0: sampling off, every trace recorded. Windows are computed
 * from the clock, not by a timer.
 */
export class TraceSampler {
  private n = 0;
  private count = 0;
  private windowEnd = 0;

  constructor(n: number, now: number = Date.now()) {
    this.setRate(n, now);
  }

  /** Traces per window (≤ 0: off). Turning sampling on starts a fresh window now. */
  get rate(): number {
    return this.n;
  }

  setRate(n: number, now: number = Date.now()): void {
    if (n > 0 && this.n <= 0) {
      this.count = 0;
      this.windowEnd = now + SAMPLE_WINDOW_MS;
    }
    this.n = n;
  }

  /** Whether a new trace started here is recorded (taking one place in the window when it is). */
  trySample(now: number): boolean {
    if (this.n <= 0) return true;
    this.roll(now);
    if (this.count >= this.n) return false;
    this.count++;
    return true;
  }

  /** A trace continued from elsewhere is recorded: it takes a place (past `n` too). */
  force(now: number): void {
    if (this.n <= 0) return;
    this.roll(now);
    this.count++;
  }

  private roll(now: number): void {
    if (now < this.windowEnd) return;
    const behind = Math.floor((now - this.windowEnd) / SAMPLE_WINDOW_MS) + 1;
    this.windowEnd += behind * SAMPLE_WINDOW_MS;
    this.count = 0;
  }
}
