/** Reads may take about half of the event loop: time spent answering is a debt that drains at half the wall-clock rate. */
export const READ_SHARE = 0.5;
/** Debt past which reads wait (ms). */
export const READ_BURST_MS = 200;

export class ReadBudget {
  private debt = 0;
  private last = performance.now();

  allowed(): boolean {
    return this.settle() <= READ_BURST_MS;
  }

  /** How long until reads are allowed again (0 when they are). */
  waitMs(): number {
    return Math.max(0, (this.settle() - READ_BURST_MS) / READ_SHARE);
  }

  spend<T>(work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.debt += performance.now() - started;
    }
  }

  private settle(): number {
    const now = performance.now();
    this.debt = Math.max(0, this.debt - (now - this.last) * READ_SHARE);
    this.last = now;
    return this.debt;
  }
}

interface Waiting {
  run: () => void;
  refuse: () => void;
  since: number;
}

/**
 * Reads in arrival order under the budget: one that finds it spent waits (at most `maxWaitMs`,
 * at most `maxWaiting` of them) instead of being refused at once; past either bound it is refused.
 * So a burst of readers is answered a little later rather than told to come back.
 */
export class ReadQueue {
  private readonly waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly budget: ReadBudget,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  get length(): number {
    return this.waiting.length;
  }

  submit(run: () => void, refuse: () => void): void {
    if (this.waiting.length === 0 && this.budget.allowed()) return run();
    if (this.waiting.length >= this.maxWaiting) return refuse();
    this.waiting.push({ run, refuse, since: performance.now() });
    this.schedule();
  }

  /** Refuse everything still waiting (the server stops). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiting.splice(0)) w.refuse();
  }

  private schedule(): void {
    if (this.timer || this.waiting.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.max(1, Math.ceil(this.budget.waitMs())),
    );
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const w = this.waiting[0]!;
      if (performance.now() - w.since > this.maxWaitMs) {
        this.waiting.shift();
        w.refuse();
        continue;
      }
      if (!this.budget.allowed()) break;
      this.waiting.shift();
      w.run();
    }
    this.schedule();
  }
}
