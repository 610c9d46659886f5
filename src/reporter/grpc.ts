import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { encodeSegmentObject, segmentOfEntry } from '../segment/encode';
import { ProtoWriter } from '../protocol/proto-writer';
import { loadServices } from '../protocol/loader';
import { Backoff } from './backoff';
import { contiguous } from './contiguous';
import { ByteQueue } from './byte-queue';
import {
  AddressRing,
  CHANNEL_OPTIONS,
  type TlsFiles,
  callHeadersOf,
  credentialsOf,
  metadataOf,
  readTlsFiles,
  waitUntilReady,
} from './channel';
import { Heartbeat, type Identity } from './heartbeat';
import { type CallStatus, Http2UnaryClient, Status } from './http2-unary';
import { withoutTracing } from './suppress';
import { LogSender } from './log-sender';
import type { LogData, LogDataWriter } from '../protocol/log-encoder';
import { type Reporter, type ReporterStats, type SegmentSource, emptyStats } from './types';
import { failedCallMessage, unreachableMessage } from './unreachable';

interface Clients {
  address: string;
  /** The channel: connectivity, the heartbeat, and the `collect` stream where it is needed. */
  trace: grpcTypes.Client;
  management: grpcTypes.Client;
  /** `collectInSync`: a batch as one message, written from the encoded segments without a copy. */
  collector: Http2UnaryClient;
}

const COLLECT_PATH = '/skywalking.v3.TraceSegmentReportService/collect';
const COLLECT_IN_SYNC_PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';
/**
 * A batch sent as one `SegmentCollection` stays under gRPC's default receive limit (4 MiB), so
 * a proxy that keeps the default takes it too (the OAP takes 50 MiB). A bigger segment goes alone.
 */
const MAX_COLLECTION_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** grpc-js honours these (our own http2 calls do not): with one set, segments go over grpc-js's stream. */
const PROXY_ENV = ['grpc_proxy', 'https_proxy', 'http_proxy'];

/** The segments are encoded already: the `collect` stream writes each entry's SegmentObject bytes as they are. */
const asIs = (bytes: Buffer): Buffer => bytes;
/** The answer (`Commands`) is not used; grpc-js needs a non-null value to know one arrived. */
const NO_COMMANDS = Object.freeze({});
const ignoreAnswer = (): object => NO_COMMANDS;

export interface GrpcReporterOptions {
  /** Who we are, read at every heartbeat (default: the configured service and instance). */
  identity?: () => Identity;
  /** Do not start the heartbeat until `startHeartbeat()` (the OTel front-end waits for the resource). */
  lateIdentity?: boolean;
}

/** Delay before the heartbeat starts on its own, so front-ends can settle their identity. */
const HEARTBEAT_START_DELAY_MS = 1000;
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/**
 * Reports closed segments to the SkyWalking OAP over gRPC (`TraceSegmentReportService/collectInSync`,
 * one call per batch, or the `collect` stream where that is missing) and keeps the instance alive
 * (`ManagementService`).
 *
 * Each segment is encoded to protobuf bytes when it closes and only the bytes are queued (bounded,
 * oldest dropped), so spans and their front-end objects die young and a backlog costs little.
 * A call is made only when the channel is READY, so a collector that is down keeps the queue until
 * it comes back; failures move to the next backend and back off (1 s to 30 s). Nothing here throws
 * or rejects into the caller, and no timer keeps the process alive.
 */
export class GrpcReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();
  /** The encoded segments waiting, oldest first: at most `maxBufferSize`, the oldest dropped at once. */
  private readonly queue: ByteQueue;
  /**
   * This reporter's own encoder: the queued bytes are views into its chunks, and only this queue's
   * records live in them, so the queue (the newest records, in order) pins its own bytes plus at
   * most a partly used chunk at each end, whatever other reporters in the process do.
   */
  private readonly writer = new ProtoWriter();
  private inFlight: Promise<void> | undefined;
  private readonly ring: AddressRing;
  private readonly tls: TlsFiles;
  private clients: Clients | undefined;
  private readonly backoff = new Backoff();
  private readonly timer: NodeJS.Timeout;
  private heartbeatDelay: NodeJS.Timeout | undefined;
  private readonly heartbeat: Heartbeat;
  private heartbeatStarted = false;
  private stopped = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Counts the batch on the wire as lost (once) when shutdown gives up on it. */
  private abandonInFlight: (() => void) | undefined;
  private drainScheduled = false;
  /** Backends that answered UNIMPLEMENTED to `collectInSync`: they get the `collect` stream. */
  private readonly streamOnly = new Set<string>();
  /** Call metadata for our own http2 calls (what `metadata()` gives grpc-js). */
  private readonly headers: Record<string, string>;
  /** A proxy is configured for grpc-js: every batch goes over its `collect` stream. */
  private readonly proxied = PROXY_ENV.some((name) => (process.env[name] ?? '') !== '');
  /** Log records: their own queue and `LogReportService/collect` calls, on this reporter's channel. */
  private readonly logSender: LogSender;

  constructor(
    readonly config: ResolvedConfig,
    options: GrpcReporterOptions = {},
  ) {
    this.queue = new ByteQueue(config.maxBufferSize);
    this.ring = new AddressRing(config.collectorAddresses);
    this.tls = readTlsFiles(config);
    this.headers = callHeadersOf(config.authentication);
    const identity = options.identity ?? (() => ({ service: config.serviceName, instance: config.serviceInstance }));
    this.heartbeat = new Heartbeat({
      periodSeconds: config.heartbeatPeriod,
      propertiesEvery: config.propertiesReportPeriodFactor,
      timeoutMs: config.reportTimeoutMs,
      extraProperties: config.instanceProperties,
      identity,
      client: () => this.connect()?.management,
      metadata: () => this.metadata(),
      onFailure: (error) => {
        this.counters.failedHeartbeats++;
        this.explain(error, 'heartbeat');
      },
    });
    this.logSender = new LogSender(config, {
      target: () => {
        const clients = this.connect();
        return (
          clients && {
            address: clients.address,
            client: clients.trace,
            credentials: credentialsOf(loadServices().grpc, config.secure, this.tls),
            http2: this.proxied ? undefined : { client: clients.collector, headers: this.headers },
          }
        );
      },
      metadata: () => this.metadata(),
      // only when the segments have not moved on from that backend already (one failure, one move)
      failover: (target) => {
        if (this.clients?.trace === target.client) this.failover();
      },
      explain: (error) => this.explain(error, 'logs'),
    });
    this.timer = setInterval(() => this.drain(false), config.flushIntervalMs);
    this.timer.unref();
    if (!options.lateIdentity) {
      this.heartbeatDelay = setTimeout(() => this.startHeartbeat(), HEARTBEAT_START_DELAY_MS);
      this.heartbeatDelay.unref();
    }
  }

  /** Start `reportInstanceProperties`/`keepAlive` now (idempotent). */
  startHeartbeat(): void {
    if (this.stopped) return;
    if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
    this.heartbeatDelay = undefined;
    this.heartbeatStarted = true;
    this.heartbeat.start();
  }

  report(segment: SegmentSource): void {
    if (this.stopped) {
      this.counters.dropped++;
      return;
    }
    let bytes: Buffer;
    try {
      bytes = segment.encode
        ? segment.encode(this.writer)
        : encodeSegmentObject(segment.toSegmentObject(), this.writer);
    } catch (e) {
      this.counters.lost++;
      log(
        'error',
        'grpc.encode',
        `a segment could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it with this line`,
      );
      return;
    }
    if (this.queue.push(bytes) > 0) {
      this.counters.dropped++;
      log(
        'warn',
        'grpc.queue-full',
        `segment queue is full (maxBufferSize ${this.config.maxBufferSize}): dropping the oldest; the collector is slow or away`,
      );
    }
    if (this.queued() >= this.config.batchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain(false);
      });
    }
  }

  /** Queue one log record (encoded now); see `LogSender`. Never throws. */
  reportLog(record: LogData): void {
    this.logSender.report(record);
  }

  /** @internal See `Reporter.reportLogWriter`. */
  reportLogWriter(record: LogDataWriter): void {
    this.logSender.report(record);
  }

  async flush(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const logs = this.logSender.flush(deadline);
    try {
      while (Date.now() < deadline) {
        if (this.queued() === 0 && !this.inFlight) return;
        this.drain(true, deadline);
        const left = deadline - Date.now();
        await Promise.race([this.inFlight ?? sleep(Math.min(20, left)), sleep(left)]);
      }
    } catch {
      // never reject into the application
    } finally {
      await logs;
    }
  }

  shutdown(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    if (!this.shutdownPromise) {
      this.shutdownPromise = (async () => {
        clearInterval(this.timer);
        // the identity is known (the heartbeat started or was about to): the properties go out once at least
        const identified = this.heartbeatDelay !== undefined || this.heartbeatStarted;
        if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
        this.heartbeat.stop();
        await Promise.all([
          this.flush(timeoutMs),
          identified ? this.heartbeat.deliverPropertiesOnce(Date.now() + timeoutMs) : undefined,
        ]);
        this.stopped = true;
        // a batch still on the wire when the deadline passed: its fate is unknown, count it lost
        this.abandonInFlight?.();
        this.logSender.stop();
        this.counters.dropped += this.queue.clear();
        this.close();
      })().catch(() => undefined);
    }
    return this.shutdownPromise;
  }

  stats(): ReporterStats {
    return { ...this.counters, queued: this.queue.length, queuedBytes: this.queue.bytes, logs: this.logSender.stats() };
  }

  private queued(): number {
    return this.queue.length;
  }

  private metadata(): grpcTypes.Metadata {
    return metadataOf(loadServices().grpc, this.config.authentication);
  }

  /** The clients of the current backend, created on first use. */
  private connect(): Clients | undefined {
    if (this.stopped) return undefined;
    const address = this.ring.current;
    if (this.clients?.address === address) return this.clients;
    this.close();
    try {
      const { grpc, TraceSegmentReportService, ManagementService } = loadServices();
      const credentials = credentialsOf(grpc, this.config.secure, this.tls);
      const trace = withoutTracing(() => new TraceSegmentReportService(address, credentials, CHANNEL_OPTIONS));
      // share the channel between both services
      const management = withoutTracing(
        () => new ManagementService(address, credentials, { ...CHANNEL_OPTIONS, channelOverride: trace.getChannel() }),
      );
      const collector = new Http2UnaryClient(address, this.config.secure, this.tls);
      this.clients = { address, trace, management, collector };
      return this.clients;
    } catch (e) {
      log('error', 'grpc.client', `cannot create the gRPC client for ${address}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private close(): void {
    if (!this.clients) return;
    try {
      this.clients.management.close();
      this.clients.trace.close();
      this.clients.collector.close();
    } catch {
      // already closed
    }
    this.clients = undefined;
  }

  /** Move to the next backend (when there is one) and wait before the next attempt. */
  private failover(): void {
    this.backoff.fail();
    if (this.ring.addresses.length > 1) {
      this.ring.next();
      this.close();
    }
  }

  /** One line per condition (rate-limited by key), with what to change. */
  private explain(error: { code: number; details?: string }, what: string): void {
    const { status } = loadServices().grpc;
    const address = this.clients?.address ?? this.ring.current;
    if (error.code === status.PERMISSION_DENIED || error.code === status.UNAUTHENTICATED) {
      log(
        'error',
        'grpc.permission-denied',
        `the collector at ${address} refused us (${error.details || status[error.code]}): the OAP checks a token; set option \`authentication\` / env SW_AGENT_AUTHENTICATION to the OAP's SW_AUTHENTICATION value`,
        10 * 60_000,
      );
    } else if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
      log('warn', 'grpc.unavailable', unreachableMessage(address, error.details || status[error.code], this.queued()));
    } else {
      log(
        'warn',
        `grpc.error.${what}`,
        failedCallMessage(what, address, String(status[error.code] ?? error.code), error.details),
      );
    }
  }

  /**
   * Send one batch when there is something to send, nothing in flight and no backoff
   * (`force`: ignore the backoff, for flush). Never throws.
   */
  private drain(force: boolean, deadline?: number): void {
    if (this.inFlight || this.stopped || this.queued() === 0) return;
    if (!force && this.backoff.remaining() > 0) return;
    const clients = this.connect();
    if (!clients) return;
    this.inFlight = this.sendWhenReady(clients, deadline ?? Date.now() + this.config.reportTimeoutMs)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        if (this.queued() >= this.config.batchSize && this.backoff.remaining() === 0)
          setImmediate(() => this.drain(false));
      });
  }

  private async sendWhenReady(clients: Clients, deadline: number): Promise<void> {
    const { grpc } = loadServices();
    const channel = clients.trace.getChannel();
    const state = channel.getConnectivityState(true);
    if (state !== grpc.connectivityState.READY) {
      const waitUntil = Math.min(deadline, Date.now() + this.config.reportTimeoutMs);
      const ready = await waitUntilReady(grpc, channel, waitUntil);
      if (!ready) {
        this.counters.failedBatches++;
        log('warn', 'grpc.unavailable', unreachableMessage(clients.address, undefined, this.queued()));
        this.failover();
        return;
      }
    }
    if (this.stopped || this.clients !== clients) return;
    await this.send(clients, this.queue.take(this.config.batchSize, MAX_COLLECTION_BYTES));
  }

  /**
   * Send one batch: as one `SegmentCollection` (`collectInSync`: one message for the whole batch,
   * written from the queued entries as they lie in memory), or over grpc-js's `collect` stream
   * (one message per segment) to a backend without `collectInSync` or through a proxy.
   */
  private send(clients: Clients, batch: Buffer[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    let settled = false;
    this.abandonInFlight = () => {
      if (settled) return;
      settled = true;
      this.counters.lost += batch.length;
    };
    return new Promise<void>((resolve) => {
      const done = (error: { code: number; details?: string } | null): void => {
        if (settled) return resolve();
        if (error?.code === Status.UNIMPLEMENTED && !this.streamOnly.has(clients.address)) {
          // an older OAP or a proxy with the stream only: this batch was not taken, send it there
          this.streamOnly.add(clients.address);
          log(
            'info',
            'grpc.stream-only',
            `the collector at ${clients.address} has no collectInSync; sending segments over the collect stream`,
          );
          open();
          return;
        }
        settled = true;
        if (error) {
          this.counters.lost += batch.length;
          this.counters.failedBatches++;
          this.explain(error, 'collect');
          if (error.code === Status.UNAVAILABLE) this.failover();
          else this.backoff.fail();
        } else {
          this.counters.sent += batch.length;
          this.backoff.succeed();
        }
        resolve();
      };
      const open = (): void => {
        try {
          withoutTracing(() => {
            const deadline = Date.now() + this.config.reportTimeoutMs;
            if (this.proxied || this.streamOnly.has(clients.address)) {
              const call = clients.trace.makeClientStreamRequest(
                COLLECT_PATH,
                asIs,
                ignoreAnswer,
                this.metadata(),
                { deadline },
                done,
              );
              call.on('error', () => undefined);
              for (const entry of batch) call.write(segmentOfEntry(entry));
              call.end();
            } else {
              let length = 0;
              for (const entry of batch) length += entry.length;
              clients.collector.call(
                COLLECT_IN_SYNC_PATH,
                contiguous(batch),
                length,
                this.headers,
                deadline,
                (status: CallStatus) => done(status.code === Status.OK ? null : status),
              );
            }
          });
        } catch (e) {
          settled = true;
          this.counters.lost += batch.length;
          this.counters.failedBatches++;
          log('error', 'grpc.collect', `could not open the collect call: ${(e as Error).message}`);
          this.backoff.fail();
          resolve();
        }
      };
      open();
    });
  }
}
