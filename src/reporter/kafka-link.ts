import type { KafkaConfig } from '../base/kafka-config';
import { log } from '../base/diag';
import type { BatchOutcome, Transport } from './delivery';
import type { ProducerLike } from './kafka-client';
import { classifyKafkaError } from './kafka-errors';
import type { KafkaRecord } from './kafka-records';
import { withoutTracing } from './suppress';

/** A topic the cluster has is trusted this long before its metadata is asked again. */
const TOPIC_OK_MS = 60_000;
/** A topic the cluster lacks is asked about again after this long. */
const TOPIC_MISSING_RETRY_MS = 5_000;

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
 * The Kafka reporter's link to the cluster, shared by its segments, logs and heartbeat: which
 * topics exist (asked once, trusted a minute; a missing one asked again after 5 s), the partition
 * each request goes to, one produce request per batch and one explanation per condition.
 */
export class KafkaLink {
  /** Until when a topic's existence is known (ok) or when to ask again (missing). */
  private readonly topicOkUntil = new Map<string, number>();
  private readonly topicMissingUntil = new Map<string, number>();
  /** Each topic's partition count (from its metadata) and the partition of its next request. */
  private readonly partitionCounts = new Map<string, number>();
  private readonly partitionTurns = new Map<string, number>();
  private closed = false;
  /** Our topics (segments, logs, management), asked about together. */
  private readonly topics: string[];

  constructor(
    private readonly producer: ProducerLike,
    readonly kafka: KafkaConfig,
    private readonly queued: () => number,
  ) {
    this.topics = [...new Set([kafka.topics.segment, kafka.topics.log, kafka.topics.management])];
  }

  /** Close the client (nothing waits for it: the deadline is spent); later failures go unexplained. */
  close(): void {
    this.closed = true;
    withoutTracing(() => this.producer.close(true)).catch(() => undefined);
  }

  /** A transport for one topic: records keyed by `keyOf` (the agents' keys). */
  transport(topic: string, keyOf: (value: Buffer) => Buffer): Transport {
    return {
      ready: (deadline) => this.ready(topic, deadline),
      send: (batch, deadline) => {
        const messages: KafkaRecord[] = [];
        for (const value of batch) messages.push({ topic, key: keyOf(value), value });
        return this.produce(topic, messages, deadline);
      },
    };
  }

  /**
   * The cluster has `topic`; false when it lacks it or cannot be reached by `deadline`. A topic not
   * known yet is asked in one metadata request together with every other topic of ours not known
   * yet (the segments', logs' and heartbeat's engines asking at once make one request: the client
   * merges identical ones); when one of them is missing, this topic is asked alone.
   */
  async ready(topic: string, deadline: number): Promise<boolean> {
    if (this.known(topic, this.topicOkUntil)) return true;
    if (this.known(topic, this.topicMissingUntil)) return false;
    let ask = [topic, ...this.topics.filter((t) => t !== topic && this.unknown(t))];
    for (;;) {
      let answer: unknown;
      try {
        answer = await within(
          withoutTracing(() =>
            this.producer.metadata({ topics: [...ask], forceUpdate: true, autocreateTopics: false }),
          ),
          deadline - Date.now(),
        );
      } catch (error) {
        const info = classifyKafkaError(error);
        if (info.kind !== 'topic-missing') {
          this.explain(error, 'metadata');
          return false;
        }
        if (ask.length > 1) {
          // the client may name another topic of the request than the missing one: ask for this one alone
          ask = [topic];
          continue;
        }
        this.topicMissingUntil.set(topic, Date.now() + TOPIC_MISSING_RETRY_MS);
        this.explainMissingTopic(topic);
        return false;
      }
      if (answer === TIMED_OUT) {
        if (this.closed) return false;
        log(
          'warn',
          'kafka.unreachable',
          `cannot reach Kafka at ${this.servers} (no answer within the deadline); ${this.queued()} segment(s) queued, retrying with backoff`,
        );
        return false;
      }
      for (const t of ask) this.topicFound(t, answer);
      return true;
    }
  }

  private known(topic: string, until: Map<string, number>): boolean {
    return (until.get(topic) ?? 0) > Date.now();
  }

  private unknown(topic: string): boolean {
    return !this.known(topic, this.topicOkUntil) && !this.known(topic, this.topicMissingUntil);
  }

  private topicFound(topic: string, answer: unknown): void {
    this.topicMissingUntil.delete(topic);
    this.topicOkUntil.set(topic, Date.now() + TOPIC_OK_MS);
    const partitions = (answer as { topics?: Map<string, { partitionsCount?: number }> })?.topics?.get?.(
      topic,
    )?.partitionsCount;
    if (typeof partitions === 'number' && partitions > 0) this.partitionCounts.set(topic, partitions);
  }

  /**
   * One produce request for one partition of `topic`, so that it is appended or refused as a
   * whole; the partition turns with each request (from a random first one, so that instances
   * started together spread; records keep the agents' keys, the OAP does not read the placement).
   */
  async produce(topic: string, messages: KafkaRecord[], deadline: number): Promise<BatchOutcome> {
    const turn = this.partitionTurns.get(topic) ?? Math.floor(Math.random() * 1024);
    this.partitionTurns.set(topic, turn + 1);
    const partition = turn % (this.partitionCounts.get(topic) ?? 1);
    for (const m of messages) m.partition = partition;
    let result: unknown;
    try {
      result = await within(
        withoutTracing(() => this.producer.send({ messages })),
        deadline - Date.now(),
      );
    } catch (error) {
      const info = classifyKafkaError(error);
      if (info.kind === 'topic-missing') this.topicOkUntil.delete(topic);
      else this.topicOkUntil.clear();
      this.explain(error, 'produce');
      // refused before anything was appended: the records go back to the head of their queue
      return info.notWritten ? 'unsent' : 'lost';
    }
    if (result === TIMED_OUT) {
      this.topicOkUntil.clear();
      if (!this.closed)
        log(
          'warn',
          'kafka.unreachable',
          `Kafka at ${this.servers} did not acknowledge ${messages.length} record(s) within the deadline; counted lost, retrying with backoff`,
        );
      return 'lost';
    }
    return 'sent';
  }

  private get servers(): string {
    return this.kafka.bootstrapServers.join(',');
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
  explain(error: unknown, what: string): void {
    if (this.closed) return; // shut down meanwhile: nothing to say
    const info = classifyKafkaError(error);
    const servers = this.servers;
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
          `cannot reach Kafka at ${servers} (${info.detail}); ${this.queued()} segment(s) queued, retrying with backoff`,
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
