import { readFileSync } from 'node:fs';
import { ConfigError, type ResolvedConfig } from '../base/config';
import type { KafkaConfig } from '../base/kafka-config';
import type { KafkaRecord } from './kafka-records';

/** The Kafka client package (an optional peer dependency, loaded when this reporter is built). */
export const KAFKA_CLIENT_PACKAGE = '@platformatic/kafka';

/** What we use of the client's `Producer` (the same in its 1.x and 2.x lines). */
export interface ProducerLike {
  on(
    event: 'client:broker:connecting' | 'client:broker:connect',
    listener: (payload: { connection?: { socket?: { unref?(): unknown } } }) => void,
  ): unknown;
  send(options: { messages: KafkaRecord[] }): Promise<unknown>;
  metadata(options: { topics: string[]; forceUpdate?: boolean; autocreateTopics?: boolean }): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}
export type ProducerConstructor = new (options: Record<string, unknown>) => ProducerLike;

/** Require the client, or fail at construction with what to install. */
export function loadClient(): ProducerConstructor {
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
