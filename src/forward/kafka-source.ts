import { ConfigError } from '../base/config-error';
import { parseAddresses } from '../base/addresses';
import { log } from '../base/diag';
import { KAFKA_CLIENT_PACKAGE } from '../reporter/kafka';
import type { LineBatch, LineSource } from './source';

/** What we use of a consumed message and of the client's `MessagesStream` / `Consumer`. */
interface MessageLike {
  value: Buffer | null;
  partition: number;
  commit(): void | Promise<void>;
}
interface StreamLike extends AsyncIterable<MessageLike> {
  on(event: 'error', listener: (e: unknown) => void): unknown;
  close(): Promise<void>;
}

const LINGER_MS = 20;
const LINGERED = Symbol('lingered');
interface ConsumerLike {
  consume(options: Record<string, unknown>): Promise<StreamLike>;
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (e: unknown) => void): unknown;
}
type ConsumerConstructor = new (options: Record<string, unknown>) => ConsumerLike;

export interface KafkaSourceOptions {
  bootstrap: string;
  topic: string;
  group: string;
  maxLineBytes: number;
  batchLines: number;
}

function loadConsumer(): ConsumerConstructor {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(KAFKA_CLIENT_PACKAGE) as { Consumer?: ConsumerConstructor };
    if (typeof mod.Consumer === 'function') return mod.Consumer;
  } catch {
    // said below
  }
  throw new ConfigError(
    `skywalking-bridge forward: --kafka needs the Kafka client ${KAFKA_CLIENT_PACKAGE}: run \`npm install ${KAFKA_CLIENT_PACKAGE}@^1.35.0\``,
  );
}

/**
 * Lines from a Kafka topic, in a consumer group: several forwarders with the same `--group` share
 * the partitions. A message may hold one line or several. Nothing is committed automatically: a
 * batch's commit commits, per partition, the offset after its last message — called only once the
 * OAP took the batch, so a forwarder that dies leaves its records to the next owner (at least once).
 */
export class KafkaSource implements LineSource {
  readonly name: string;
  private stopped = false;
  private stream: StreamLike | undefined;
  private wake: (() => void) | undefined;
  private readonly counts = { messages: 0, tooLong: 0, commits: 0, commitErrors: 0 };

  constructor(private readonly options: KafkaSourceOptions) {
    this.name = `kafka:${options.topic}`;
    if (!parseAddresses(options.bootstrap))
      throw new ConfigError(
        `skywalking-bridge forward: --kafka needs host:port addresses, got ${JSON.stringify(options.bootstrap)}`,
      );
  }

  async *batches(): AsyncIterable<LineBatch> {
    const Consumer = loadConsumer();
    const consumer = new Consumer({
      groupId: this.options.group,
      clientId: `skywalking-forward-${process.pid}`,
      bootstrapBrokers: parseAddresses(this.options.bootstrap),
      maxWaitTime: 200,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    consumer.on('error', (e) => log('warn', 'forward.kafka', `forward: Kafka consumer: ${(e as Error)?.message ?? e}`));
    try {
      this.stream = await consumer.consume({
        topics: [this.options.topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
      this.stream.on('error', (e) =>
        log('warn', 'forward.kafka', `forward: Kafka stream: ${(e as Error)?.message ?? e}`),
      );
      const messages = this.stream[Symbol.asyncIterator]();
      for (;;) {
        const batch = await this.take(messages);
        if (!batch) break;
        yield batch;
      }
    } finally {
      await this.stream?.close().catch(() => undefined);
      await consumer.close(true).catch(() => undefined);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  stats(): Record<string, number> {
    return { ...this.counts };
  }

  /** The next message, or LINGERED when none came within `ms` (it stays pending for the next call), or undefined when stopped. */
  private pending: Promise<IteratorResult<MessageLike>> | undefined;

  private async next(
    messages: AsyncIterator<MessageLike>,
    ms: number | undefined,
  ): Promise<MessageLike | typeof LINGERED | undefined> {
    if (this.stopped) return undefined;
    this.pending ??= messages.next();
    const waits: Promise<IteratorResult<MessageLike> | typeof LINGERED | undefined>[] = [
      this.pending,
      new Promise((resolve) => (this.wake = () => resolve(undefined))),
    ];
    let timer: NodeJS.Timeout | undefined;
    if (ms !== undefined) waits.push(new Promise((resolve) => (timer = setTimeout(() => resolve(LINGERED), ms))));
    const got = await Promise.race(waits);
    clearTimeout(timer);
    if (got === LINGERED) return LINGERED;
    if (got === undefined || this.stopped || got.done) return undefined;
    this.pending = undefined;
    return got.value;
  }

  /** A batch: the first message as it comes, then those that follow within LINGER_MS each, up to `batchLines` lines. */
  private async take(messages: AsyncIterator<MessageLike>): Promise<LineBatch | undefined> {
    const lines: string[] = [];
    const last = new Map<number, MessageLike>();
    let m = await this.next(messages, undefined);
    while (m !== undefined && m !== LINGERED) {
      this.counts.messages++;
      last.set(m.partition, m);
      const value = m.value ?? Buffer.alloc(0);
      if (value.length > this.options.maxLineBytes) this.counts.tooLong++;
      else for (const line of value.toString('utf8').split('\n')) if (line !== '') lines.push(line.replace(/\r$/, ''));
      if (lines.length >= this.options.batchLines) break;
      m = await this.next(messages, LINGER_MS);
    }
    if (m === undefined && last.size === 0) return undefined;
    return { lines, commit: () => this.commit([...last.values()]) };
  }

  private async commit(messages: MessageLike[]): Promise<void> {
    for (const m of messages) {
      try {
        await m.commit();
        this.counts.commits++;
      } catch (e) {
        // a rebalance took the partition: its new owner reads these records again
        this.counts.commitErrors++;
        log(
          'warn',
          'forward.kafka-commit',
          `forward: a Kafka commit failed (${(e as Error)?.message ?? e}); those records will be read again`,
        );
      }
    }
  }
}
