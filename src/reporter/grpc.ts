import type { ResolvedConfig } from '../config';
import { type Reporter, type ReporterStats, type SegmentSource, emptyStats } from './types';

/** Placeholder: replaced by the real gRPC reporter. */
export class GrpcReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();
  constructor(readonly config: ResolvedConfig) {}
  report(_segment: SegmentSource): void {
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
