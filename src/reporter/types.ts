import type { SegmentObject } from '../base/model';
import type { JsonWriter } from '../protocol/json-writer';
import type { ProtoWriter } from '../protocol/proto-writer';
import type { LogData, LogDataWriter } from '../protocol/log-encoder';

/** A closed segment as a reporter receives it: its wire form as objects, and optionally as bytes. */
export interface SegmentSource {
  toSegmentObject(): SegmentObject;
  /**
   * `toSegmentObject()` encoded as a `SegmentCollection` entry (field 1, length, the SegmentObject,
   * as `encodeSegment` writes it), when the source can write it itself (our `Segment`); written with
   * `writer` when one is given (the reporter's own, so its queue pins only its own encoder chunks).
   */
  encode?(writer?: ProtoWriter): Buffer;
  /**
   * `toSegmentObject()` as its marked line with the newline (`segmentLine`'s text, UTF-8), written
   * with `writer`, when the source can write it itself (our `Segment`).
   */
  line?(writer: JsonWriter): Buffer;
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
  /** Batches (of segments or log records) that failed: not ready in time, lost, or refused. */
  failedBatches: number;
  /** Heartbeats (keepAlive / properties) that failed. */
  failedHeartbeats: number;
  /** Log records, when the reporter takes them: each record is in exactly one of queued/sent/dropped/lost. */
  logs?: LogStats;
}

/** What a reporter has done with log records. */
export interface LogStats {
  /** Records waiting to be sent. */
  queued: number;
  /** Records the collector acknowledged (or the console wrote). */
  sent: number;
  /** Records dropped: the queue was full (oldest first), logging is off, or the reporter was shut down. */
  dropped: number;
  /** Records written to a stream that then failed, or that could not be encoded. */
  lost: number;
  /** Records under the minimum level (`logLevel`), not reported (front-end stats only). */
  filtered?: number;
}

export function emptyLogStats(): LogStats {
  return { queued: 0, sent: 0, dropped: 0, lost: 0 };
}

/** Takes closed segments and delivers them. Never throws or rejects into the caller. */
export interface Reporter {
  report(segment: SegmentSource): void;
  /** Take a log record (optional: a reporter without it ignores logs). Never throws. */
  reportLog?(log: LogData): void;
  /**
   * @internal Take a record that writes its own `LogData` (a pino line read in place), encoding it
   * during the call (optional: without it the record is given to `reportLog` as a `LogData`).
   * Never throws.
   */
  reportLogWriter?(log: LogDataWriter): void;
  /** Deliver what is queued; resolves within `timeoutMs` (default: the report timeout) whatever happens. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flush, then release connections and timers. Idempotent. */
  shutdown(timeoutMs?: number): Promise<void>;
  stats(): ReporterStats;
}

export function emptyStats(): ReporterStats {
  return { queued: 0, queuedBytes: 0, sent: 0, dropped: 0, lost: 0, failedBatches: 0, failedHeartbeats: 0 };
}
