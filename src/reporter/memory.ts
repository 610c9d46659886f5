import type { SegmentObject } from '../model';
import { type Reporter, type ReporterStats, type SegmentSource, emptyStats } from './types';

/** Keeps every reported segment in memory, converted: for tests and examples. */
export class MemoryReporter implements Reporter {
  readonly segments: SegmentObject[] = [];
  private readonly counters: ReporterStats = emptyStats();

  report(segment: SegmentSource): void {
    this.segments.push(segment.toSegmentObject());
    this.counters.sent++;
  }

  /** Forget what was reported. */
  clear(): void {
    this.segments.length = 0;
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
