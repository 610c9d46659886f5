import type { Reporter, ReporterStats, SegmentSource } from './types';
import { emptyStats } from './types';

/** Writes each segment as one JSON line to a stream (stdout by default), like go2sky's log reporter. */
export class ConsoleReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  report(segment: SegmentSource): void {
    try {
      this.out.write(`${JSON.stringify(segment.toSegmentObject())}\n`);
      this.counters.sent++;
    } catch {
      this.counters.lost++;
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  stats(): ReporterStats {
    return { ...this.counters };
  }
}

/** Accepts segments and does nothing with them (reporter `none`). */
export class NoopReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();

  report(): void {
    this.counters.dropped++;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  stats(): ReporterStats {
    return { ...this.counters };
  }
}
