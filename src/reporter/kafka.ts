import { ConfigError, type ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import type { KafkaConfig } from '../base/kafka-config';
import { type LogData, type LogDataWriter, encodeLogData } from '../protocol/log-encoder';
import { ProtoWriter } from '../protocol/proto-writer';
import { encodeSegmentObject } from '../segment/encode';
import type { Beat, Identity } from './heartbeat';
import { type ProducerLike, loadClient, producerOptions } from './kafka-client';
import { KafkaLink } from './kafka-link';
import {
  type KafkaRecord,
  encodeInstancePing,
  encodeInstanceProperties,
  logKeyOf,
  pingKeyOf,
  propertiesKeyOf,
  segmentKeyOf,
  segmentValueOf,
} from './kafka-records';
import { ReporterCore } from './reporter-core';
import { withoutTracing } from './suppress';
import type { Reporter, ReporterStats, SegmentSource } from './types';

export { KAFKA_CLIENT_PACKAGE, producerOptions } from './kafka-client';

/** Log records waiting and what happened to them (the log reporter's view). */
export interface KafkaLogStats {
  queued: number;
  sent: number;
  dropped: number;
  lost: number;
}

export interface KafkaReporterStats extends ReporterStats {
  logs: KafkaLogStats;
}

export interface KafkaReporterOptions {
  /** Who we are, read at every heartbeat (default: the configured service and instance). */
  identity?: () => Identity;
  /** Do not start the heartbeat until `startHeartbeat()` (the OTel front-end waits for the resource) or the first batch sent. */
  lateIdentity?: boolean;
}

/**
 * Reports through Kafka to the OAP's `kafka-fetcher`, with the official agents' conventions:
 * segments to `skywalking-segments` (key: segment id, value: `SegmentObject`), instance properties
 * and pings to `skywalking-managements` (keys `register-<instance>` and `<instance>`, one request
 * per beat), logs to `skywalking-logs` (key: service, value: `LogData`); every topic prefixed
 * `<namespace>-` when a namespace is set.
 *
 * Delivery is the delivery engine's, as for the gRPC reporter (`ReporterCore`, `Delivery`):
 * segments and logs are queued as encoded bytes in bounded rings (oldest dropped and counted),
 * sent in batches (one produce request for up to `batchSize` records, at most `max.request.size`
 * bytes), one request at a time for each; records leave the queue only once the cluster answered
 * for their topic, so a broker that is away, a topic that does not exist yet or refused
 * credentials keep them queued; a request refused before anything was appended puts its records
 * back, one that fails after it was written is counted lost, never sent twice. Each cause is
 * explained once (diag), nothing throws or rejects into the caller, and no timer or socket keeps
 * the process alive.
 */
export class KafkaReporter implements Reporter {
  readonly kafka: KafkaConfig;
  /**
   * Our own chunks for encoded segments (the gRPC reporter's size) and, apart, for logs: the queued
   * views pin nothing of other reporters, and log records that wait (their topic missing) never
   * keep the segments' chunks alive, nor segments the logs'.
   */
  private readonly writer = new ProtoWriter();
  private readonly logWriter = new ProtoWriter(64 * 1024);
  private readonly link: KafkaLink;
  private readonly core: ReporterCore;

  constructor(
    readonly config: ResolvedConfig,
    options: KafkaReporterOptions = {},
  ) {
    if (!config.kafka)
      throw new ConfigError(
        "skywalking-bridge: the Kafka reporter needs the resolved Kafka settings (reporter: 'kafka').",
      );
    const kafka = config.kafka;
    this.kafka = kafka;
    const Producer = loadClient();
    const clientOptions = producerOptions(kafka, config);
    const producer = withoutTracing(() => new Producer(clientOptions));
    const link = new KafkaLink(producer, kafka, () => this.core.segments.queued);
    this.link = link;
    producer.on('error', (error) => link.explain(error, 'client'));
    unrefSockets(producer);
    this.core = new ReporterCore(
      config,
      {
        segments: link.transport(kafka.topics.segment, segmentKeyOf),
        logs: link.transport(kafka.topics.log, logKeyOf),
        maxBatchBytes: { segments: kafka.producer.maxRequestBytes, logs: kafka.producer.maxRequestBytes },
        intervalMs: kafka.producer.lingerMs || config.flushIntervalMs,
        segmentsFull: () =>
          log(
            'warn',
            'kafka.queue-full',
            `segment queue is full (maxBufferSize ${config.maxBufferSize}): dropping the oldest; Kafka is slow or away`,
          ),
        logsFull: () =>
          log(
            'warn',
            'kafka.log-queue-full',
            `log queue is full (logMaxBufferSize ${config.logMaxBufferSize} records): dropping the oldest; Kafka is slow or away`,
          ),
        sendBeat: (beat, deadline) => this.sendBeat(beat, deadline),
        close: () => link.close(),
      },
      options,
    );
  }

  /** Start sending instance properties and pings now (idempotent). */
  startHeartbeat(): void {
    this.core.startHeartbeat();
  }

  report(segment: SegmentSource): void {
    const lane = this.core.segments;
    if (lane.isStopped) return lane.countDropped();
    let value: Buffer;
    try {
      value = segmentValueOf(
        segment.encode ? segment.encode(this.writer) : encodeSegmentObject(segment.toSegmentObject(), this.writer),
      );
    } catch (e) {
      lane.countLost();
      log(
        'error',
        'kafka.encode',
        `a segment could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it with this line`,
      );
      return;
    }
    lane.push(value);
  }

  /** Queue one `LogData` (or its encoded bytes) for the log topic (keyed by its service). Never throws. */
  reportLog(record: LogData | Buffer): void {
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

  stats(): KafkaReporterStats {
    return this.core.stats() as KafkaReporterStats;
  }

  logStats(): KafkaLogStats {
    return this.stats().logs;
  }

  /** @internal What a stopping process waits for: records queued, whether the collector answers, where they go. */
  pending(): { segments: number; logs: number; stalled: boolean; destination: string } {
    return { ...this.core.pending, destination: `Kafka at ${this.kafka.bootstrapServers.join(',')}` };
  }

  private queueLog(record: LogData | LogDataWriter | Buffer): void {
    const lane = this.core.logs;
    if (lane.isStopped) return lane.countDropped();
    let logData: Buffer;
    try {
      logData = Buffer.isBuffer(record) ? record : encodeLogData(record, this.logWriter);
    } catch {
      lane.countLost();
      return;
    }
    if (logData.length === 0) return;
    lane.push(logData);
  }

  /** The properties (when due) and a ping in one produce request; true when it was appended. */
  private async sendBeat(beat: Beat, deadline: number): Promise<boolean> {
    const topic = this.kafka.topics.management;
    const { service, instance } = beat.identity;
    if (!(await this.link.ready(topic, deadline))) return false;
    const messages: KafkaRecord[] = [];
    if (beat.properties) {
      const value = encodeInstanceProperties(service, instance, beat.properties);
      messages.push({ topic, key: propertiesKeyOf(instance), value });
    }
    messages.push({ topic, key: pingKeyOf(instance), value: encodeInstancePing(service, instance) });
    return (await this.link.produce(topic, messages, deadline)) === 'sent';
  }
}

/**
 * The broker connections must not keep the application alive (as no timer of ours does): each
 * socket is unref'd as it is made (it exists right after 'connecting') and once connected.
 */
function unrefSockets(producer: ProducerLike): void {
  const unref = (payload: { connection?: { socket?: { unref?(): unknown } } }): void => {
    try {
      payload?.connection?.socket?.unref?.();
    } catch {
      // a client without sockets to unref: nothing to do
    }
  };
  producer.on('client:broker:connecting', (payload) => process.nextTick(unref, payload));
  producer.on('client:broker:connect', unref);
}
