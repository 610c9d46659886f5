import type { ResolvedConfig } from '../base/config';
import { Delivery, type Transport, holdUntil } from './delivery';
import { Heartbeat, type Identity, type SendBeat } from './heartbeat';
import type { ReporterStats } from './types';

/** Delay before the heartbeat starts on its own, so front-ends can settle their identity. */
export const HEARTBEAT_START_DELAY_MS = 1000;

/** What a network reporter plugs into the core: its transports, how it sends a beat, how it closes. */
export interface ReporterParts {
  segments: Transport;
  logs: Transport;
  /** Bytes per batch at most, for each kind. */
  maxBatchBytes: { segments: number; logs: number };
  /** How often a partial batch goes out (default `flushIntervalMs`). */
  intervalMs?: number;
  /** One diagnostic line (rate-limited) when a queue drops its oldest record. */
  segmentsFull(): void;
  logsFull(): void;
  sendBeat: SendBeat;
  /** Release connections (after shutdown; nothing waits for it). */
  close(): void;
}

export interface CoreOptions {
  /** Who we are, read at every heartbeat (default: the configured service and instance). */
  identity?: () => Identity;
  /** Do not start the heartbeat until `startHeartbeat()` or the first batch sent (the service name comes later). */
  lateIdentity?: boolean;
}

/**
 * What every network reporter (gRPC, Kafka) does the same way: a delivery engine for segments
 * and one for log records, the heartbeat for whatever it sends (it starts after a second, at
 * `startHeartbeat()`, or with the first batch acknowledged, whichever comes first), `flush()`,
 * `shutdown()` and `stats()`. A reporter keeps only encoding and its transports.
 */
export class ReporterCore {
  readonly segments: Delivery;
  readonly logs: Delivery;
  private readonly heartbeat: Heartbeat;
  private heartbeatDelay: NodeJS.Timeout | undefined;
  private failedHeartbeats = 0;
  private closing = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly parts: ReporterParts,
    options: CoreOptions = {},
  ) {
    const common = {
      batchSize: config.batchSize,
      intervalMs: parts.intervalMs ?? config.flushIntervalMs,
      timeoutMs: config.reportTimeoutMs,
      onSent: () => this.startHeartbeat(),
    };
    this.segments = new Delivery(parts.segments, {
      ...common,
      capacity: config.maxBufferSize,
      maxBatchBytes: parts.maxBatchBytes.segments,
      onFull: parts.segmentsFull,
    });
    this.logs = new Delivery(parts.logs, {
      ...common,
      capacity: config.logMaxBufferSize,
      maxBatchBytes: parts.maxBatchBytes.logs,
      onFull: parts.logsFull,
    });
    this.heartbeat = new Heartbeat({
      periodSeconds: config.heartbeatPeriod,
      propertiesEvery: config.propertiesReportPeriodFactor,
      timeoutMs: config.reportTimeoutMs,
      extraProperties: config.instanceProperties,
      identity: options.identity ?? (() => ({ service: config.serviceName, instance: config.serviceInstance })),
      send: async (beat, deadline) => {
        const ok = await parts.sendBeat(beat, deadline);
        if (!ok) this.failedHeartbeats++;
        return ok;
      },
    });
    if (!options.lateIdentity) {
      this.heartbeatDelay = setTimeout(() => this.startHeartbeat(), HEARTBEAT_START_DELAY_MS);
      this.heartbeatDelay.unref();
    }
  }

  /** Start the heartbeat now (idempotent; not once shutdown began). */
  startHeartbeat(): void {
    if (this.closing || this.heartbeat.started) return;
    if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
    this.heartbeatDelay = undefined;
    this.heartbeat.start();
  }

  /** Deliver what is queued; resolves within `timeoutMs` whatever happens, never rejects. */
  async flush(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const hold = holdUntil(deadline);
    try {
      await Promise.race([Promise.all([this.segments.flush(deadline), this.logs.flush(deadline)]), hold.done]);
    } finally {
      hold.release();
    }
  }

  /** Flush, deliver the properties once if they never arrived, then release everything. Idempotent. */
  shutdown(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    this.shutdownPromise ??= this.stopWithin(Math.max(0, timeoutMs)).catch(() => undefined);
    return this.shutdownPromise;
  }

  stats(): ReporterStats {
    const s = this.segments.stats();
    const l = this.logs.stats();
    return {
      queued: s.queued,
      queuedBytes: s.queuedBytes,
      sent: s.sent,
      dropped: s.dropped,
      lost: s.lost,
      failedBatches: s.failedBatches + l.failedBatches,
      failedHeartbeats: this.failedHeartbeats,
      logs: { queued: l.queued, sent: l.sent, dropped: l.dropped, lost: l.lost },
    };
  }

  /** Records queued, and whether the collector is not answering: for the line that says what a stopping process waits for. */
  get pending(): { segments: number; logs: number; stalled: boolean } {
    return {
      segments: this.segments.queued,
      logs: this.logs.queued,
      stalled: this.segments.stalled || this.logs.stalled,
    };
  }

  private async stopWithin(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const hold = holdUntil(deadline);
    try {
      // the identity is known (the heartbeat started or was about to): the properties go out once at least
      const identified = this.heartbeatDelay !== undefined || this.heartbeat.started;
      this.closing = true;
      if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
      this.heartbeat.stop();
      const flushed = Promise.all([
        this.segments.flush(deadline),
        this.logs.flush(deadline),
        identified ? this.heartbeat.deliverPropertiesOnce(deadline) : undefined,
      ]);
      await Promise.race([flushed, hold.done]);
      // a reporter that waited for its identity and sent its first batch while stopping
      if (!identified && this.segments.stats().sent + this.logs.stats().sent > 0)
        await Promise.race([this.heartbeat.deliverPropertiesOnce(deadline), hold.done]);
    } finally {
      hold.release();
      // a batch still on the wire when the deadline passed: its fate is unknown, counted lost
      this.segments.stop();
      this.logs.stop();
      this.parts.close();
    }
  }
}
