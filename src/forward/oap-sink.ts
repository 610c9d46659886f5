import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import type { InstancePingPkg, InstanceProperties } from '../base/model';
import type { LogData } from '../protocol/log-encoder';
import { loadServices } from '../protocol/loader';
import { CHANNEL_OPTIONS, credentialsOf, metadataOf, readTlsFiles } from '../reporter/channel';
import { GrpcReporter } from '../reporter/grpc';
import { KafkaReporter } from '../reporter/kafka';
import { withoutTracing } from '../reporter/suppress';
import type { Reporter, ReporterStats, SegmentSource } from '../reporter/types';

/**
 * The forwarder's one use of the library's delivery: a `GrpcReporter` or `KafkaReporter` (their
 * public `report`/`reportLog`/`flush`/`stats` only), and for the gRPC sink a `ManagementService`
 * client that passes the applications' properties and keep-alive on under their own identity.
 */
export interface Sink {
  /**
   * Resolves once the OAP (or Kafka) took every segment and record of the batch; until then it
   * retries the whole batch (so a record may arrive twice, counted in `resent`). Resolves false
   * only when the sink was closed first. Never rejects.
   */
  deliver(segments: SegmentSource[], logs: LogData[]): Promise<boolean>;
  management(kind: 'properties', message: InstanceProperties): void;
  management(kind: 'keepAlive', message: InstancePingPkg): void;
  stats(): SinkStats;
  close(): Promise<void>;
}

export interface SinkStats {
  /** Segments and records acknowledged. */
  segments: number;
  logs: number;
  /** Records sent again after a batch failed (at least once: the OAP may have some twice). */
  resent: number;
  /** Delivery attempts that failed (a refused or broken call): the batch went again. */
  failedAttempts: number;
  /** Waits of one report timeout that ended with the batch still queued (the OAP away or slow). */
  stalls: number;
  /** Records of the batch being delivered now (reading is paused until they are taken). */
  pending: number;
  management: { sent: number; failed: number; skipped: number };
  /** The reporter's own view. */
  reporter: ReporterStats;
}

type Unary = (
  request: unknown,
  metadata: grpcTypes.Metadata,
  options: grpcTypes.CallOptions,
  callback: (error: unknown) => void,
) => unknown;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function settledCount(s: ReporterStats): { seg: number; segOk: number; log: number; logOk: number } {
  const l = s.logs ?? { sent: 0, lost: 0, dropped: 0 };
  return { seg: s.sent + s.lost + s.dropped, segOk: s.sent, log: l.sent + l.lost + l.dropped, logOk: l.sent };
}

/** Delivery through a reporter: one batch at a time, each retried until acknowledged. */
export class ReporterSink implements Sink {
  private readonly reporter: Reporter;
  private readonly counts = { segments: 0, logs: 0, resent: 0, failedAttempts: 0, stalls: 0, pending: 0 };
  private readonly mgmt = { sent: 0, failed: 0, skipped: 0 };
  private managementClient: grpcTypes.Client | undefined;
  private closed = false;
  /** Management calls on the wire (close waits for them, within the report timeout). */
  private readonly calls = new Set<Promise<void>>();

  constructor(
    private readonly config: ResolvedConfig,
    kind: 'grpc' | 'kafka',
  ) {
    // no heartbeat of the forwarder's own: it speaks for the applications whose lines it reads
    this.reporter =
      kind === 'kafka'
        ? new KafkaReporter(config, { lateIdentity: true })
        : new GrpcReporter(config, { lateIdentity: true });
  }

  async deliver(segments: SegmentSource[], logs: LogData[]): Promise<boolean> {
    for (let attempt = 0; !this.closed; attempt++) {
      if (attempt > 0) {
        this.counts.resent += segments.length + logs.length;
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
      }
      const before = settledCount(this.reporter.stats());
      for (const s of segments) this.reporter.report(s);
      for (const l of logs) this.reporter.reportLog?.(l);
      this.counts.pending = segments.length + logs.length;
      let now = settledCount(this.reporter.stats());
      const unsettled = (): boolean => now.seg - before.seg < segments.length || now.log - before.log < logs.length;
      while (!this.closed && unsettled()) {
        await this.reporter.flush(this.config.reportTimeoutMs);
        now = settledCount(this.reporter.stats());
        if (unsettled()) this.counts.stalls++;
      }
      this.counts.pending = 0;
      if (now.segOk - before.segOk === segments.length && now.logOk - before.logOk === logs.length) {
        this.counts.segments += segments.length;
        this.counts.logs += logs.length;
        return true;
      }
      this.counts.failedAttempts++;
    }
    return false;
  }

  management(kind: 'properties' | 'keepAlive', message: InstanceProperties | InstancePingPkg): void {
    const client = this.config.reporter === 'grpc' ? this.client() : undefined;
    if (!client) {
      this.mgmt.skipped++;
      return;
    }
    const method = kind === 'properties' ? 'reportInstanceProperties' : 'keepAlive';
    const { grpc } = loadServices();
    const call = new Promise<void>((resolve) => {
      try {
        withoutTracing(() => {
          const fn = (client as unknown as Record<string, Unary>)[method]!;
          fn.call(
            client,
            message,
            metadataOf(grpc, this.config.authentication),
            { deadline: Date.now() + this.config.reportTimeoutMs },
            (error: unknown) => {
              if (error) this.mgmt.failed++;
              else this.mgmt.sent++;
              resolve();
            },
          );
        });
      } catch {
        this.mgmt.failed++;
        resolve();
      }
    });
    this.calls.add(call);
    void call.then(() => this.calls.delete(call));
  }

  stats(): SinkStats {
    return { ...this.counts, management: { ...this.mgmt }, reporter: this.reporter.stats() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([Promise.all(this.calls), this.reporter.shutdown(this.config.reportTimeoutMs)]);
    this.managementClient?.close();
  }

  private client(): grpcTypes.Client | undefined {
    if (this.managementClient || this.closed) return this.managementClient;
    try {
      const { grpc, ManagementService } = loadServices();
      const credentials = credentialsOf(grpc, this.config.secure, readTlsFiles(this.config));
      this.managementClient = withoutTracing(
        () => new ManagementService(this.config.collectorAddresses[0]!, credentials, CHANNEL_OPTIONS),
      );
    } catch {
      this.managementClient = undefined;
    }
    return this.managementClient;
  }
}
