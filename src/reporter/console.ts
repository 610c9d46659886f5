import type { LogData } from '../protocol/log-encoder';
import type { Reporter, ReporterStats, SegmentSource } from './types';
import { emptyLogStats, emptyStats } from './types';

/** Writes each segment as one JSON line to a stream (stdout by default), like go2sky's log reporter; log records too (`LogData` as JSON). */
export class ConsoleReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();
  private readonly logCounters = emptyLogStats();

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  report(segment: SegmentSource): void {
    try {
      this.out.write(`${JSON.stringify(segment.toSegmentObject())}\n`);
      this.counters.sent++;
    } catch {
      this.counters.lost++;
    }
  }

  reportLog(log: LogData): void {
    try {
      this.out.write(`${JSON.stringify(log)}\n`);
      this.logCounters.sent++;
    } catch {
      this.logCounters.lost++;
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  stats(): ReporterStats {
    return { ...this.counters, logs: { ...this.logCounters } };
  }
}

/** Accepts segments and does nothing with them (reporter `none`). */
export class NoopReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();
  private readonly logCounters = emptyLogStats();

  report(): void {
    this.counters.dropped++;
  }

  reportLog(): void {
    this.logCounters.dropped++;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  stats(): ReporterStats {
    return { ...this.counters, logs: { ...this.logCounters } };
  }
}
