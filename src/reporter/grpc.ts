import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { encodeSegmentObject } from '../segment/encode';
import { ProtoWriter } from '../protocol/proto-writer';
import { type LogData, type LogDataWriter, encodeLogData } from '../protocol/log-encoder';
import { loadServices } from '../protocol/loader';
import { waitUntilReady } from './channel';
import { GrpcConnection } from './grpc-connection';
import { MAX_COLLECTION_BYTES, segmentTransport } from './grpc-segments';
import type { Beat, Identity } from './heartbeat';
import { MAX_LOG_BATCH_BYTES, logTransport } from './log-sender';
import { ReporterCore } from './reporter-core';
import { withoutTracing } from './suppress';
import type { Reporter, ReporterStats, SegmentSource } from './types';

export interface GrpcReporterOptions {
  /** Who we are, read at every heartbeat (default: the configured service and instance). */
  identity?: () => Identity;
  /** Do not start the heartbeat until `startHeartbeat()` (the OTel front-end waits for the resource) or the first batch sent. */
  lateIdentity?: boolean;
}

type Unary = (
  request: unknown,
  metadata: grpcTypes.Metadata,
  options: grpcTypes.CallOptions,
  callback: (error: grpcTypes.ServiceError | null) => void,
) => grpcTypes.ClientUnaryCall;

/**
 * Reports closed segments and log records to the SkyWalking OAP over gRPC
 * (`TraceSegmentReportService/collectInSync`, one call per batch, or the `collect` stream where
 * that is missing; `LogReportService/collect`) and keeps the instance alive (`ManagementService`).
 *
 * Each record is encoded to protobuf bytes when it is reported and only the bytes are queued, so
 * spans and their front-end objects die young and a backlog costs little. Delivery — bounded
 * queues, batches, readiness, backoff, flush, shutdown, the counters — is the delivery engine's
 * (`ReporterCore`, `Delivery`), the same as the Kafka reporter's. Nothing here throws or rejects
 * into the caller, and no timer keeps the process alive.
 */
export class GrpcReporter implements Reporter {
  /**
   * This reporter's own encoders: the queued bytes are views into their chunks, and only its own
   * records live in them, so a queue pins its own bytes plus at most a partly used chunk at each
   * end, whatever other reporters in the process do.
   */
  private readonly writer = new ProtoWriter();
  private readonly logWriter = new ProtoWriter(64 * 1024);
  private readonly connection: GrpcConnection;
  private readonly core: ReporterCore;

  constructor(
    readonly config: ResolvedConfig,
    options: GrpcReporterOptions = {},
  ) {
    const connection = new GrpcConnection(config);
    this.connection = connection;
    const queued = { segments: (): number => this.core.segments.queued, logs: (): number => this.core.logs.queued };
    this.core = new ReporterCore(
      config,
      {
        segments: segmentTransport(connection, queued.segments),
        logs: logTransport(connection, queued.logs),
        maxBatchBytes: { segments: MAX_COLLECTION_BYTES, logs: MAX_LOG_BATCH_BYTES },
        segmentsFull: () =>
          log(
            'warn',
            'grpc.queue-full',
            `segment queue is full (maxBufferSize ${config.maxBufferSize}): dropping the oldest; the collector is slow or away`,
          ),
        logsFull: () =>
          log(
            'warn',
            'logs.queue-full',
            `log queue is full (logMaxBufferSize ${config.logMaxBufferSize}): dropping the oldest record; the collector is slow or away`,
          ),
        sendBeat: (beat, deadline) => this.sendBeat(beat, deadline),
        close: () => connection.close(),
      },
      options,
    );
  }

  /** Start `reportInstanceProperties`/`keepAlive` now (idempotent). */
  startHeartbeat(): void {
    this.core.startHeartbeat();
  }

  report(segment: SegmentSource): void {
    const lane = this.core.segments;
    if (lane.isStopped) return lane.countDropped();
    let bytes: Buffer;
    try {
      bytes = segment.encode
        ? segment.encode(this.writer)
        : encodeSegmentObject(segment.toSegmentObject(), this.writer);
    } catch (e) {
      lane.countLost();
      log(
        'error',
        'grpc.encode',
        `a segment could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it with this line`,
      );
      return;
    }
    lane.push(bytes);
  }

  /** Queue one log record (encoded now, framed for the `collect` stream). Never throws. */
  reportLog(record: LogData): void {
    this.queueLog(record);
  }

  /** @internal See `Reporter.reportLogWriter`. */
  reportLogWriter(record: LogDataWriter): void {
    this.queueLog(record);
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.core.flush(timeoutMs);
  }

  shutdown(timeoutMs?: number): Promise<void> {
    return this.core.shutdown(timeoutMs);
  }

  stats(): ReporterStats {
    return this.core.stats();
  }

  /** @internal What a stopping process waits for: records queued, whether the collector answers, where they go. */
  pending(): { segments: number; logs: number; stalled: boolean; destination: string } {
    return { ...this.core.pending, destination: this.connection.address };
  }

  private queueLog(record: LogData | LogDataWriter): void {
    const lane = this.core.logs;
    if (lane.isStopped) return lane.countDropped();
    let bytes: Buffer;
    try {
      // framed: a batch is the request body as the records lie in the writer's chunks (contiguous)
      bytes = encodeLogData(record, this.logWriter, true);
    } catch (e) {
      lane.countLost();
      log(
        'error',
        'logs.encode',
        `a log record could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it`,
      );
      return;
    }
    lane.push(bytes);
  }

  /** `reportInstanceProperties` (when due) and `keepAlive`; true when the properties (else the ping) arrived. */
  private async sendBeat(beat: Beat, deadline: number): Promise<boolean> {
    if (!(await this.managementReady(deadline))) return false;
    const { service, instance } = beat.identity;
    const properties =
      beat.properties &&
      this.call(
        'reportInstanceProperties',
        { service, serviceInstance: instance, properties: beat.properties, layer: '' },
        deadline,
      );
    const ping = this.call('keepAlive', { service, serviceInstance: instance, layer: '' }, deadline);
    return properties ? (await Promise.all([properties, ping]))[0] : ping;
  }

  /**
   * The channel connected, or failed, before a call: a call made while it connects holds its
   * deadline in a grpc-js timer that keeps the process alive (a collector that accepts and never
   * answers held an application that ended without `shutdown()` for `reportTimeoutMs`); this wait
   * does not. After a failed connection the call fails at once with grpc-js's reason, which the
   * first warning explains (e.g. an HTTP/1 server at the address).
   */
  private async managementReady(deadline: number): Promise<boolean> {
    const client = this.connection.connect()?.management;
    if (!client) return false;
    try {
      const { grpc } = loadServices();
      const channel = client.getChannel();
      if (channel.getConnectivityState(true) === grpc.connectivityState.READY) return true;
      return await waitUntilReady(grpc, channel, deadline, true);
    } catch {
      return false;
    }
  }

  /** One `ManagementService` call; resolves true when it succeeded (never rejects). */
  private call(method: 'reportInstanceProperties' | 'keepAlive', request: unknown, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const client = this.connection.connect()?.management;
      if (!client) return resolve(false);
      try {
        withoutTracing(() => {
          const fn = (client as unknown as Record<string, Unary>)[method]!;
          fn.call(client, request, this.connection.metadata(), { deadline }, (error) => {
            if (error) this.connection.explain(error, 'heartbeat', this.core.segments.queued);
            resolve(!error);
          });
        });
      } catch (e) {
        log('debug', 'heartbeat.call', `heartbeat ${method} could not start: ${(e as Error).message}`);
        resolve(false);
      }
    });
  }
}
