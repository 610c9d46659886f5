import type { SegmentObject } from '../model';
import type { ProtoWriter } from '../protocol/proto-writer';

/** A closed segment as a reporter receives it: its wire form as objects, and optionally as bytes. */
export interface SegmentSource {
  toSegmentObject(): SegmentObject;
  /**
   * `toSegmentObject()` encoded as a `SegmentCollection` entry (field 1, length, the SegmentObject,
   * as `encodeSegment` writes it), when the source can write it itself (our `Segment`); written with
   * `writer` when one is given (the reporter's own, so its queue pins only its own encoder chunks).
   */
  encode?(writer?: ProtoWriter): Buffer;
}

/** What a reporter has done so far. */
export interface ReporterStats {
  /** Segments waiting to be sent. */
  queued: number;
  /** Bytes of the segments waiting (encoded; the queue's memory, bounded by `maxBufferSize` records). */
  queuedBytes: number;
  /** Segments the collector acknowledged. */
  sent: number;
  /** Segments dropped because the queue was full (oldest first). */
  dropped: number;
  /** Segments written to a stream that then failed: lost, not retried. */
  lost: number;
  /** Streams (batches) that failed. */
  failedBatches: number;
  /** Heartbeats (keepAlive / properties) that failed. */
  failedHeartbeats: number;
}

/** Takes closed segments and delivers them. Never throws or rejects into the caller. */
export interface Reporter {
  report(segment: SegmentSource): void;
  /** Deliver what is queued; resolves within `timeoutMs` (default: the report timeout) whatever happens. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flush, then release connections and timers. Idempotent. */
  shutdown(timeoutMs?: number): Promise<void>;
  stats(): ReporterStats;
}

export function emptyStats(): ReporterStats {
  return { queued: 0, queuedBytes: 0, sent: 0, dropped: 0, lost: 0, failedBatches: 0, failedHeartbeats: 0 };
}
