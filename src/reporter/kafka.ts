import { readFileSync } from 'node:fs';
import { ConfigError, type ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { type LogData, type LogDataWriter, encodeLogData } from '../protocol/log-encoder';
import { ProtoWriter } from '../protocol/proto-writer';
import { encodeSegmentObject } from '../segment/encode';
import { Backoff } from './backoff';
import { ByteQueue } from './byte-queue';
import type { Identity } from './heartbeat';
import type { KafkaConfig } from '../base/kafka-config';
import { classifyKafkaError } from './kafka-errors';
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
import { instanceProperties } from './properties';
import { withoutTracing } from './suppress';
import { type Reporter, type ReporterStats, type SegmentSource, emptyStats } from './types';

/** The Kafka client package (an optional peer dependency, loaded when this reporter is built). */
export const KAFKA_CLIENT_PACKAGE = '@platformatic/kafka';

/** What we use of the client's `Producer` (the same in its 1.x and 2.x lines). */
interface ProducerLike {
  on(
    event: 'client:broker:connecting' | 'client:broker:connect',
    listener: (payload: { connection?: { socket?: { unref?(): unknown } } }) => void,
  ): unknown;
  send(options: { messages: KafkaRecord[] }): Promise<unknown>;
  metadata(options: { topics: string[]; forceUpdate?: boolean; autocreateTopics?: boolean }): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}
type ProducerConstructor = new (options: Record<string, unknown>) => ProducerLike;

/** Require the client, or fail at construction with what to install. */
function loadClient(): ProducerConstructor {
  let mod: { Producer?: ProducerConstructor };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(KAFKA_CLIENT_PACKAGE) as { Producer?: ProducerConstructor };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND') {
      throw new ConfigError(
        `skywalking-bridge: reporter 'kafka' needs the Kafka client ${KAFKA_CLIENT_PACKAGE}, an optional peer dependency that is not installed: ` +
          `run \`npm install ${KAFKA_CLIENT_PACKAGE}@^1.35.0\` (Node.js 20; on Node.js 22+ @^2.12.1 works too), or choose another reporter.`,
      );
    }
    throw new ConfigError(
      `skywalking-bridge: reporter 'kafka' could not load ${KAFKA_CLIENT_PACKAGE} (${err.code ?? ''} ${err.message}); it is an ES module, which Node.js loads with require() from 20.19 on: upgrade Node.js or choose another reporter.`,
    );
  }
  if (typeof mod.Producer !== 'function') {
    throw new ConfigError(
      `skywalking-bridge: ${KAFKA_CLIENT_PACKAGE} has no Producer export; install a supported version (^1.35.0 or ^2.12.1).`,
    );
  }
  return mod.Producer;
}

function readPem(path: string, what: string): Buffer | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(
      `skywalking-bridge: cannot read the Kafka ${what} ${JSON.stringify(path)} (${(e as Error).message}).`,
    );
  }
}

/**
 * The client's options from our settings (read once, at construction). Exported for bench:kafka,
 * whose floor drives the same client with exactly these options.
 */
export function producerOptions(kafka: KafkaConfig, config: ResolvedConfig): Record<string, unknown> {
  const p = kafka.producer;
  const timeout = p.requestTimeoutMs ?? config.reportTimeoutMs;
  const options: Record<string, unknown> = {
    clientId: p.clientId,
    bootstrapBrokers: kafka.bootstrapServers,
    acks: p.acks,
    compression: p.compression,
    // topics are made by the OAP's kafka-fetcher (or the operator), never by us
    autocreateTopics: false,
    // retries are ours (the queue and the backoff), so a batch is sent at most once: the client must
    // not repeat a request on stale metadata either (it repeats the whole request, partitions that
    // had appended it included)
    retries: 0,
    repeatOnStaleMetadata: false,
    timeout,
    requestTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
  };
  if (p.tls) {
    options.tls = {
      ca: readPem(p.tls.caPath, 'CA file (ssl.cafile)'),
      cert: readPem(p.tls.certPath, 'client certificate (ssl.certfile)'),
      key: readPem(p.tls.keyPath, 'client key (ssl.keyfile)'),
      ...(p.tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (p.sasl) options.sasl = { mechanism: p.sasl.mechanism, username: p.sasl.username, password: p.sasl.password };
  return options;
}

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
  /** Do not start the heartbeat until `startHeartbeat()` (the OTel front-end waits for the resource). */
  lateIdentity?: boolean;
}

const HEARTBEAT_START_DELAY_MS = 1000;
/** Management records (properties, pings) held while the broker is away; older ones are dropped. */
const MAX_MANAGEMENT_RECORDS = 8;
/** A topic the cluster has is trusted this long before its metadata is asked again. */
const TOPIC_OK_MS = 60_000;
/** While flushing, a cluster that failed is tried again at most this often (not at every turn of the flush loop). */
const FLUSH_RETRY_MS = 500;
/** A topic the cluster lacks is asked about again after this long. */
const TOPIC_MISSING_RETRY_MS = 5_000;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    t.unref();
  });

const TIMED_OUT: unique symbol = Symbol('timed out');
/** `promise`, or TIMED_OUT after `ms` (the timer is cleared as soon as the promise settles). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reports through Kafka to the OAP's `kafka-fetcher`, with the official agents' conventions:
 * segments to `skywalking-segments` (key: segment id, value: `SegmentObject`), instance properties
 * and pings to `skywalking-managements` (keys `register-<instance>` and `<instance>`), logs to
 * `skywalking-logs` (key: service, value: `LogData`); every topic prefixed `<namespace>-` when a
 * namespace is set.
 *
 * The guarantees are the gRPC reporter's: segments and logs are queued as encoded bytes in bounded
 * rings (oldest dropped and counted), sent in batches (one produce request for up to `batchSize`
 * records of each kind, at most `max.request.size` bytes), one request at a time; records are taken
 * from the queue only once the cluster answered for their topic, so a broker that is away, a topic
 * that does not exist yet or refused credentials keep them queued; a request that fails after it
 * was written is counted lost, never sent twice. Each cause is explained once (diag), nothing
 * throws or rejects into the caller, and no timer keeps the process alive.
 */
export class KafkaReporter implements Reporter {
  readonly kafka: KafkaConfig;
  private readonly counters: ReporterStats = emptyStats();
  private readonly logCounters: KafkaLogStats = { queued: 0, sent: 0, dropped: 0, lost: 0 };
  private readonly segments: ByteQueue;
  private readonly logs: ByteQueue;
  /**
   * Our own chunks for encoded segments (the gRPC reporter's size) and, apart, for logs: the queued
   * views pin nothing of other reporters, and log records that wait (their topic missing) never
   * keep the segments' chunks alive, nor segments the logs'.
   */
  private readonly writer = new ProtoWriter();
  private readonly logWriter = new ProtoWriter(64 * 1024);
  private management: KafkaRecord[] = [];
  private readonly producer: ProducerLike;
  private readonly backoff = new Backoff();
  private readonly timer: NodeJS.Timeout;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatDelay: NodeJS.Timeout | undefined;
  private beats = 0;
  private readonly identity: () => Identity;
  private inFlight: Promise<void> | undefined;
  private abandonInFlight: (() => void) | undefined;
  private drainScheduled = false;
  private lastAttempt = 0;
  private stopped = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Until when a topic's existence is known (ok) or when to ask again (missing). */
  private readonly topicOkUntil = new Map<string, number>();
  private readonly topicMissingUntil = new Map<string, number>();
  /** Each topic's partition count (from its metadata) and the partition of its next request. */
  private readonly partitionCounts = new Map<string, number>();
  private readonly partitionTurns = new Map<string, number>();
  /** Segments and logs take turns when both wait (management records go first). */
  private logsTurn = false;

  constructor(
    readonly config: ResolvedConfig,
    options: KafkaReporterOptions = {},
  ) {
    if (!config.kafka)
      throw new ConfigError(
        "skywalking-bridge: the Kafka reporter needs the resolved Kafka settings (reporter: 'kafka').",
      );
    this.kafka = config.kafka;
    const Producer = loadClient();
    const clientOptions = producerOptions(this.kafka, config);
    this.producer = withoutTracing(() => new Producer(clientOptions));
    this.producer.on('error', (error) => this.explain(error, 'client'));
    // the broker connections must not keep the application alive (as no timer of ours does):
    // unref each socket as it is made (it exists right after 'connecting') and once connected
    const unref = (payload: { connection?: { socket?: { unref?(): unknown } } }): void => {
      try {
        payload?.connection?.socket?.unref?.();
      } catch {
        // a client without sockets to unref: nothing to do
      }
    };
    this.producer.on('client:broker:connecting', (payload) => process.nextTick(unref, payload));
    this.producer.on('client:broker:connect', unref);
    this.segments = new ByteQueue(config.maxBufferSize);
    this.logs = new ByteQueue(config.logMaxBufferSize);
    this.identity = options.identity ?? (() => ({ service: config.serviceName, instance: config.serviceInstance }));
    this.timer = setInterval(() => this.drain(false), this.kafka.producer.lingerMs || config.flushIntervalMs);
    this.timer.unref();
    if (!options.lateIdentity) {
      this.heartbeatDelay = setTimeout(() => this.startHeartbeat(), HEARTBEAT_START_DELAY_MS);
      this.heartbeatDelay.unref();
    }
  }

  /** Start sending instance properties and pings now (idempotent). */
  startHeartbeat(): void {
    if (this.stopped || this.heartbeatTimer) return;
    if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
    this.heartbeatDelay = undefined;
    this.beat();
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.heartbeatPeriod * 1000);
    this.heartbeatTimer.unref();
  }

  report(segment: SegmentSource): void {
    if (this.stopped) {
      this.counters.dropped++;
      return;
    }
    let value: Buffer;
    try {
      value = segmentValueOf(
        segment.encode ? segment.encode(this.writer) : encodeSegmentObject(segment.toSegmentObject(), this.writer),
      );
    } catch (e) {
      this.counters.lost++;
      log(
        'error',
        'kafka.encode',
        `a segment could not be encoded and was dropped (${(e as Error).message}); this is a bug in skywalking-bridge: please report it with this line`,
      );
      return;
    }
    if (this.segments.push(value) > 0) {
      this.counters.dropped++;
      log(
        'warn',
        'kafka.queue-full',
        `segment queue is full (maxBufferSize ${this.config.maxBufferSize}): dropping the oldest; Kafka is slow or away`,
      );
    }
    this.soon(this.segments.length);
  }

  /** Queue one `LogData` (or its encoded bytes) for the log topic (keyed by its service). Never throws. */
  reportLog(record: LogData | Buffer): void {
    this.queueLog(record);
  }

  /** @internal See `Reporter.reportLogWriter`. */
  reportLogWriter(record: LogDataWriter): void {
    this.queueLog(record);
  }

  private queueLog(record: LogData | LogDataWriter | Buffer): void {
    if (this.stopped) {
      this.logCounters.dropped++;
      return;
    }
    let logData: Buffer;
    try {
      logData = Buffer.isBuffer(record) ? record : encodeLogData(record, this.logWriter);
    } catch {
      this.logCounters.lost++;
      return;
    }
    if (logData.length === 0) return;
    if (this.logs.push(logData) > 0) {
      this.logCounters.dropped++;
      log(
        'warn',
        'kafka.log-queue-full',
        `log queue is full (logMaxBufferSize ${this.config.logMaxBufferSize} records): dropping the oldest; Kafka is slow or away`,
      );
    }
    this.soon(this.logs.length);
  }

  async flush(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    try {
      while (Date.now() < deadline) {
        if (this.pending() === 0 && !this.inFlight) return;
        this.drain(true, deadline);
        const left = deadline - Date.now();
        await within(this.inFlight ?? sleep(Math.min(20, left)), left);
      }
    } catch {
      // never reject into the application
    }
  }

  shutdown(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    if (!this.shutdownPromise) {
      this.shutdownPromise = (async () => {
        clearInterval(this.timer);
        if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
        if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
        await this.flush(timeoutMs);
        this.stopped = true;
        // a request still on the wire when the deadline passed: its fate is unknown, count it lost
        this.abandonInFlight?.();
        this.counters.dropped += this.segments.clear();
        this.logCounters.dropped += this.logs.clear();
        this.management = [];
        // closing ends the sockets (nothing waits for it: the deadline is spent)
        withoutTracing(() => this.producer.close(true)).catch(() => undefined);
      })().catch(() => undefined);
    }
    return this.shutdownPromise;
  }

  stats(): KafkaReporterStats {
    return { ...this.counters, queued: this.segments.length, logs: this.logStats() };
  }

  logStats(): KafkaLogStats {
    return { ...this.logCounters, queued: this.logs.length };
  }

  private pending(): number {
    return this.segments.length + this.logs.length + this.management.length;
  }

  /** A full batch waiting: send it on the next turn rather than at the next tick of the timer. */
  private soon(queued: number): void {
    if (queued >= this.config.batchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain(false);
      });
    }
  }

  private beat(): void {
    try {
      const { service, instance } = this.identity();
      const topic = this.kafka.topics.management;
      if (this.beats % this.config.propertiesReportPeriodFactor === 0) {
        const value = encodeInstanceProperties(service, instance, instanceProperties(this.config.instanceProperties));
        this.management.push({ topic, key: propertiesKeyOf(instance), value });
      }
      this.management.push({ topic, key: pingKeyOf(instance), value: encodeInstancePing(service, instance) });
      this.beats++;
      if (this.management.length > MAX_MANAGEMENT_RECORDS) {
        const dropped = this.management.length - MAX_MANAGEMENT_RECORDS;
        this.management = this.management.slice(dropped);
        this.counters.failedHeartbeats += dropped;
      }
      this.drain(false);
    } catch (e) {
      log('debug', 'kafka.heartbeat', `heartbeat could not be built: ${(e as Error).message}`);
    }
  }

  /** Send one request when there is something to send, nothing in flight and no backoff (`force`, for flush: retry every FLUSH_RETRY_MS instead). */
  private drain(force: boolean, deadline?: number): void {
    if (this.inFlight || this.stopped || this.pending() === 0) return;
    if (this.backoff.remaining() > 0 && (!force || Date.now() - this.lastAttempt < FLUSH_RETRY_MS)) return;
    this.lastAttempt = Date.now();
    this.inFlight = this.sendOnce(deadline ?? Date.now() + this.config.reportTimeoutMs)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        this.abandonInFlight = undefined;
        if (this.segments.length + this.logs.length >= this.config.batchSize && this.backoff.remaining() === 0)
          setImmediate(() => this.drain(false));
      });
  }

  /** The topics among `wanted` the cluster has (asking for those not known yet). Empty when the cluster cannot be reached. */
  private async readyTopics(wanted: string[], deadline: number): Promise<Set<string>> {
    const ready = new Set<string>();
    const now = Date.now();
    for (const topic of wanted) {
      if ((this.topicOkUntil.get(topic) ?? 0) > now) {
        ready.add(topic);
        continue;
      }
      if ((this.topicMissingUntil.get(topic) ?? 0) > now) continue;
      const left = deadline - Date.now();
      if (left <= 0) break;
      let answer: unknown;
      try {
        answer = await within(
          withoutTracing(() => this.producer.metadata({ topics: [topic], forceUpdate: true, autocreateTopics: false })),
          left,
        );
      } catch (error) {
        const info = classifyKafkaError(error);
        if (info.kind === 'topic-missing') {
          this.topicMissingUntil.set(topic, Date.now() + TOPIC_MISSING_RETRY_MS);
          this.explainMissingTopic(topic);
          continue;
        }
        this.counters.failedBatches++;
        this.explain(error, 'metadata');
        this.backoff.fail();
        return new Set();
      }
      if (answer === TIMED_OUT) {
        this.counters.failedBatches++;
        log(
          'warn',
          'kafka.unreachable',
          `cannot reach Kafka at ${this.kafka.bootstrapServers.join(',')} (no answer within the deadline); ${this.segments.length} segment(s) queued, retrying with backoff`,
        );
        this.backoff.fail();
        return new Set();
      }
      this.topicMissingUntil.delete(topic);
      this.topicOkUntil.set(topic, Date.now() + TOPIC_OK_MS);
      const partitions = (answer as { topics?: Map<string, { partitionsCount?: number }> })?.topics?.get?.(
        topic,
      )?.partitionsCount;
      if (typeof partitions === 'number' && partitions > 0) this.partitionCounts.set(topic, partitions);
      ready.add(topic);
    }
    return ready;
  }

  private async sendOnce(deadline: number): Promise<void> {
    const { segment: segmentTopic, log: logTopic, management: managementTopic } = this.kafka.topics;
    const wanted: string[] = [];
    if (this.management.length > 0) wanted.push(managementTopic);
    if (this.segments.length > 0) wanted.push(segmentTopic);
    if (this.logs.length > 0) wanted.push(logTopic);
    const ready = await this.readyTopics(wanted, deadline);
    if (this.stopped || ready.size === 0) return;

    // one produce request for one partition of one topic, so that it is appended or refused as a
    // whole: pending management records first, else segments and logs in turns (up to batchSize
    // records, at most max.request.size bytes); the partition turns with each request (records keep
    // the agents' keys; the OAP does not read the placement)
    const segmentsReady = this.segments.length > 0 && ready.has(segmentTopic);
    const logsReady = this.logs.length > 0 && ready.has(logTopic);
    let topic: string;
    let records: Buffer[] = [];
    let managementRecords: KafkaRecord[] = [];
    let keyOf = segmentKeyOf;
    let isLog = false;
    if (this.management.length > 0 && ready.has(managementTopic)) {
      topic = managementTopic;
      managementRecords = this.management;
      this.management = [];
    } else if (segmentsReady && !(logsReady && this.logsTurn)) {
      topic = segmentTopic;
      records = this.segments.take(this.config.batchSize, this.kafka.producer.maxRequestBytes);
    } else if (logsReady) {
      topic = logTopic;
      records = this.logs.take(this.config.batchSize, this.kafka.producer.maxRequestBytes);
      keyOf = logKeyOf;
      isLog = true;
    } else {
      return;
    }
    if (segmentsReady && logsReady && topic !== managementTopic) this.logsTurn = !isLog;
    // a random first partition, so that instances started together spread their first requests
    const turn = this.partitionTurns.get(topic) ?? Math.floor(Math.random() * 1024);
    this.partitionTurns.set(topic, turn + 1);
    const partition = turn % (this.partitionCounts.get(topic) ?? 1);
    const messages: KafkaRecord[] = [];
    for (const r of managementRecords) messages.push({ topic, key: r.key, value: r.value, partition });
    for (const value of records) messages.push({ topic, key: keyOf(value), value, partition });
    if (messages.length === 0) return;
    const segmentValues = isLog ? [] : records;
    const logValues = isLog ? records : [];
    const [segments, logs, management] = [segmentValues.length, logValues.length, managementRecords.length];

    let settled = false;
    const lose = (): void => {
      if (settled) return;
      settled = true;
      this.counters.lost += segments;
      this.logCounters.lost += logs;
      this.counters.failedHeartbeats += management;
      this.counters.failedBatches++;
    };
    this.abandonInFlight = lose;
    let result: unknown;
    try {
      result = await within(
        withoutTracing(() => this.producer.send({ messages })),
        Math.max(this.config.reportTimeoutMs, deadline - Date.now()),
      );
    } catch (error) {
      if (settled) return;
      const info = classifyKafkaError(error);
      if (info.notWritten && !this.stopped) {
        // refused before anything was appended: the records go back to the head of their queues
        settled = true;
        this.counters.failedBatches++;
        this.counters.dropped += this.segments.unshift(segmentValues);
        this.logCounters.dropped += this.logs.unshift(logValues);
        const back = [...managementRecords, ...this.management];
        this.counters.failedHeartbeats += Math.max(0, back.length - MAX_MANAGEMENT_RECORDS);
        this.management = back.slice(-MAX_MANAGEMENT_RECORDS);
      } else {
        lose();
      }
      if (info.kind === 'topic-missing') {
        for (const t of [segmentTopic, logTopic, managementTopic]) {
          if (info.topic === undefined || info.topic === t) this.topicOkUntil.delete(t);
        }
      } else {
        this.topicOkUntil.clear();
        this.backoff.fail();
      }
      this.explain(error, 'produce');
      return;
    }
    if (settled) return;
    if (result === TIMED_OUT) {
      lose();
      this.topicOkUntil.clear();
      this.backoff.fail();
      log(
        'warn',
        'kafka.unreachable',
        `Kafka at ${this.kafka.bootstrapServers.join(',')} did not acknowledge ${messages.length} record(s) within the deadline; counted lost, retrying with backoff`,
      );
      return;
    }
    settled = true;
    this.counters.sent += segments;
    this.logCounters.sent += logs;
    this.backoff.succeed();
  }

  private explainMissingTopic(topic: string): void {
    log(
      'warn',
      `kafka.topic-missing.${topic}`,
      `the Kafka topic ${topic} does not exist and we do not create topics: start the OAP with kafka-fetcher enabled (it creates its topics; its namespace must match SW_KAFKA_NAMESPACE), ` +
        `or create the topic; its records stay queued (bounded by maxBufferSize) meanwhile`,
      10 * 60_000,
    );
  }

  /** One line per condition (rate-limited by key), with what to change. */
  private explain(error: unknown, what: string): void {
    const info = classifyKafkaError(error);
    const servers = this.kafka.bootstrapServers.join(',');
    switch (info.kind) {
      case 'auth':
        log(
          'error',
          'kafka.auth',
          `Kafka at ${servers} refused our credentials (${info.detail}): check security.protocol and sasl.mechanism / sasl.username / sasl.password (SW_KAFKA_REPORTER_CONFIG_<key>) against the broker's listener`,
          10 * 60_000,
        );
        break;
      case 'tls':
        log(
          'error',
          'kafka.tls',
          `Kafka at ${servers} presented a certificate we do not accept (${info.detail}): set ssl.cafile (SW_KAFKA_REPORTER_CONFIG_ssl_cafile) to the PEM of the CA that signed it, or ssl.check.hostname=false when only the name differs`,
          10 * 60_000,
        );
        break;
      case 'topic-missing':
        this.explainMissingTopic(info.topic ?? '(unnamed)');
        break;
      case 'unreachable':
        log(
          'warn',
          'kafka.unreachable',
          `cannot reach Kafka at ${servers} (${info.detail}); ${this.segments.length} segment(s) queued, retrying with backoff`,
        );
        break;
      case 'too-large':
        log(
          'warn',
          'kafka.too-large',
          `Kafka refused a request as too large (${info.detail}): lower max.request.size (SW_KAFKA_REPORTER_CONFIG_max_request_size) or raise the topic's max.message.bytes; the records in it were counted lost`,
        );
        break;
      default:
        log('warn', `kafka.error.${what}`, `Kafka ${what} failed: ${info.detail}`);
    }
  }
}
