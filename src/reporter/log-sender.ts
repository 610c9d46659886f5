import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { type LogData, type LogDataWriter, encodeLogData } from '../protocol/log-encoder';
import { ProtoWriter } from '../protocol/proto-writer';
import { loadServices } from '../protocol/loader';
import { Backoff } from './backoff';
import { ByteQueue } from './byte-queue';
import { CHANNEL_OPTIONS, waitUntilReady } from './channel';
import { contiguous } from './contiguous';
import { type CallStatus, type Http2UnaryClient, Status } from './http2-unary';
import { withoutTracing } from './suppress';
import { type LogStats, emptyLogStats } from './types';

const LOG_COLLECT_PATH = '/skywalking.v3.LogReportService/collect';
/** A queued record starts with its gRPC frame (`encodeLogData(…, true)`): 5 bytes. */
const FRAME = 5;
/** A batch (one `collect` stream) carries at most this many bytes of records. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;
const asIs = (bytes: Buffer): Buffer => bytes;
const NO_COMMANDS = Object.freeze({});
const ignoreAnswer = (): object => NO_COMMANDS;

/** The segment reporter's current backend: its address and the client whose channel logs share. */
export interface LogTarget {
  address: string;
  client: grpcTypes.Client;
  credentials: grpcTypes.ChannelCredentials;
  /**
   * The segment reporter's own HTTP/2 client of that backend and its call headers (token), when
   * not behind a proxy: a batch then goes as one request body (every record a length-prefixed
   * message of the `collect` stream), not one grpc-js stream write per record.
   */
  http2?: { client: Http2UnaryClient; headers: Record<string, string> };
}

/** What the log sender borrows from the segment reporter: the channel, the call metadata and the failover. */
export interface LogSenderHost {
  target(): LogTarget | undefined;
  metadata(): grpcTypes.Metadata;
  /** The backend of `target` failed (UNAVAILABLE or not reachable): move on to the next one, unless the segments moved on already. */
  failover(target: LogTarget): void;
  explain(error: { code: number; details?: string }): void;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/**
 * Log records over `LogReportService/collect` (a client stream of `LogData`, answered with
 * `Commands`), on the segment reporter's channel (same backend, token, TLS and failover). Each
 * record is encoded when it is reported and only the bytes are queued, in a ring of
 * `logMaxBufferSize` records (oldest dropped and counted). A batch is sent when `batchSize`
 * records wait or every `flushIntervalMs`; a failed batch is counted lost, not retried.
 * Every record ends in exactly one of sent / dropped / lost. Never throws.
 */
export class LogSender {
  private readonly queue: ByteQueue;
  private readonly counters: LogStats = emptyLogStats();
  /** Our own chunks: the queued views pin nothing of other reporters. */
  private readonly writer = new ProtoWriter(64 * 1024);
  private readonly backoff = new Backoff();
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;
  private abandonInFlight: (() => void) | undefined;
  private drainScheduled = false;
  private stopped = false;
  private client: { for: grpcTypes.Client; logs: grpcTypes.Client } | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly host: LogSenderHost,
  ) {
    this.queue = new ByteQueue(config.logMaxBufferSize);
    this.timer = setInterval(() => this.drain(false), config.flushIntervalMs);
    this.timer.unref();
  }

  /** Encode and queue one record. */
  report(record: LogData | LogDataWriter): void {
    if (this.stopped) {
      this.counters.dropped++;
      return;
    }
    let bytes: Buffer;
    try {
      // framed: a batch is the request body as the records lie in the writer's chunks (contiguous)
      bytes = encodeLogData(record, this.writer, true);
    } catch (e) {
      this.counters.lost++;
      log(
        'error',
        'logs.encode',
        `a log record could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it`,
      );
      return;
    }
    if (this.queue.push(bytes) > 0) {
      this.counters.dropped++;
      log(
        'warn',
        'logs.queue-full',
        `log queue is full (logMaxBufferSize ${this.config.logMaxBufferSize}): dropping the oldest record; the collector is slow or away`,
      );
    }
    if (this.queue.length >= this.config.batchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain(false);
      });
    }
  }

  stats(): LogStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Send what is queued until `deadline` (epoch ms). Never rejects. */
  async flush(deadline: number): Promise<void> {
    try {
      while (Date.now() < deadline) {
        if (this.queue.length === 0 && !this.inFlight) return;
        this.drain(true, deadline);
        const left = deadline - Date.now();
        await Promise.race([this.inFlight ?? sleep(Math.min(20, left)), sleep(left)]);
      }
    } catch {
      // never reject into the application
    }
  }

  /** Stop: a batch still on the wire is counted lost, what is queued dropped. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.abandonInFlight?.();
    this.counters.dropped += this.queue.clear();
    this.closeClient();
  }

  /** The backend changed or the reporter closes its channel. */
  closeClient(): void {
    try {
      this.client?.logs.close();
    } catch {
      // already closed
    }
    this.client = undefined;
  }

  private logClient(target: LogTarget): grpcTypes.Client | undefined {
    if (this.client?.for === target.client) return this.client.logs;
    this.closeClient();
    try {
      const { LogReportService } = loadServices();
      const logs = withoutTracing(
        () =>
          new LogReportService(target.address, target.credentials, {
            ...CHANNEL_OPTIONS,
            channelOverride: target.client.getChannel(),
          }),
      );
      this.client = { for: target.client, logs };
      return logs;
    } catch (e) {
      log('error', 'logs.client', `cannot create the log client for ${target.address}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private drain(force: boolean, deadline?: number): void {
    if (this.inFlight || this.stopped || this.queue.length === 0) return;
    if (!force && this.backoff.remaining() > 0) return;
    const target = this.host.target();
    if (!target) return;
    this.inFlight = this.sendWhenReady(target, deadline ?? Date.now() + this.config.reportTimeoutMs)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        if (this.queue.length >= this.config.batchSize && this.backoff.remaining() === 0)
          setImmediate(() => this.drain(false));
      });
  }

  private async sendWhenReady(target: LogTarget, deadline: number): Promise<void> {
    const { grpc } = loadServices();
    const channel = target.client.getChannel();
    if (channel.getConnectivityState(true) !== grpc.connectivityState.READY) {
      const waitUntil = Math.min(deadline, Date.now() + this.config.reportTimeoutMs);
      const ready = await waitUntilReady(grpc, channel, waitUntil);
      if (!ready) {
        this.backoff.fail();
        log(
          'warn',
          'logs.unavailable',
          `cannot connect to the SkyWalking collector at ${target.address}; ${this.queue.length} log record(s) queued, retrying with backoff`,
        );
        this.host.failover(target);
        return;
      }
    }
    if (this.stopped) return;
    if (target.http2) {
      await this.send(undefined, target, this.queue.take(this.config.batchSize, MAX_BATCH_BYTES));
      return;
    }
    const client = this.logClient(target);
    if (!client) return;
    await this.send(client, target, this.queue.take(this.config.batchSize, MAX_BATCH_BYTES));
  }

  private send(client: grpcTypes.Client | undefined, target: LogTarget, batch: Buffer[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    let settled = false;
    this.abandonInFlight = () => {
      if (settled) return;
      settled = true;
      this.counters.lost += batch.length;
    };
    return new Promise<void>((resolve) => {
      const done = (error: grpcTypes.ServiceError | null): void => {
        if (settled) return resolve();
        settled = true;
        if (error) {
          this.counters.lost += batch.length;
          const { status } = loadServices().grpc;
          if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
            log(
              'warn',
              'logs.unavailable',
              `log records to ${target.address} failed (${error.details || status[error.code]}): ${batch.length} lost, ${this.queue.length} queued, retrying with backoff`,
            );
          } else {
            this.host.explain(error);
          }
          this.backoff.fail();
          if (error.code === status.UNAVAILABLE) this.host.failover(target);
        } else {
          this.counters.sent += batch.length;
          this.backoff.succeed();
        }
        resolve();
      };
      try {
        const http2 = target.http2;
        if (http2 || !client) {
          if (!http2) throw new Error('no client');
          let length = 0;
          for (const record of batch) length += record.length;
          withoutTracing(() =>
            http2.client.call(
              LOG_COLLECT_PATH,
              contiguous(batch),
              length,
              http2.headers,
              Date.now() + this.config.reportTimeoutMs,
              (status: CallStatus) =>
                done(status.code === Status.OK ? null : (status as unknown as grpcTypes.ServiceError)),
              true,
            ),
          );
          return;
        }
        withoutTracing(() => {
          const call = client.makeClientStreamRequest(
            LOG_COLLECT_PATH,
            asIs,
            ignoreAnswer,
            this.host.metadata(),
            { deadline: Date.now() + this.config.reportTimeoutMs },
            done,
          );
          call.on('error', () => undefined);
          for (const record of batch) call.write(record.subarray(FRAME)); // grpc-js frames each message
          call.end();
        });
      } catch (e) {
        if (!settled) {
          settled = true;
          this.counters.lost += batch.length;
          this.backoff.fail();
          log('error', 'logs.collect', `could not open the log collect call: ${(e as Error).message}`);
        }
        resolve();
      }
    });
  }
}
