import type { SegmentObject } from '../base/model';
import type { LogData } from '../protocol/log-encoder';
import { type Reporter, type ReporterStats, type SegmentSource, emptyLogStats, emptyStats } from './types';

/** Keeps every reported segment (converted) and log record in memory: for tests and examples. */
export class MemoryReporter implements Reporter {
  readonly segments: SegmentObject[] = [];
  readonly logs: LogData[] = [];
  private readonly counters: ReporterStats = emptyStats();
  private readonly logCounters = emptyLogStats();

  report(segment: SegmentSource): void {
    this.segments.push(segment.toSegmentObject());
    this.counters.sent++;
  }

  reportLog(log: LogData): void {
    this.logs.push(log);
    this.logCounters.sent++;
  }

  /** Forget what was reported. */
  clear(): void {
    this.segments.length = 0;
    this.logs.length = 0;
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
