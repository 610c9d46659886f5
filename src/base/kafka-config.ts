import * as zlib from 'node:zlib';
import { parseAddresses } from './addresses';
import { ConfigError } from './config-error';

/** The Kafka reporter's options (part of `BridgeOptions`). */
export interface KafkaOptions {
  /** Kafka reporter: comma-separated `host:port` bootstrap list. Env `SW_KAFKA_BOOTSTRAP_SERVERS`. Default `localhost:9092`. */
  kafkaBootstrapServers?: string;
  /** Kafka reporter: prefix of every topic (`<namespace>-<topic>`), as the OAP's kafka-fetcher `namespace`. Env `SW_KAFKA_NAMESPACE`. */
  kafkaNamespace?: string;
  /** Kafka reporter: segment topic. Env `SW_KAFKA_TOPIC_SEGMENT`. Default `skywalking-segments`. */
  kafkaTopicSegment?: string;
  /** Kafka reporter: management (properties, pings) topic. Env `SW_KAFKA_TOPIC_MANAGEMENT`. Default `skywalking-managements`. */
  kafkaTopicManagement?: string;
  /** Kafka reporter: log topic. Env `SW_KAFKA_TOPIC_LOG`. Default `skywalking-logs` (what the OAP consumes). */
  kafkaTopicLog?: string;
  /** Kafka reporter: producer properties by Kafka's names (`acks`, `compression.type`, `linger.ms`, `security.protocol`, `sasl.*`, `ssl.*`). Env `SW_KAFKA_REPORTER_CONFIG_<key>`. */
  kafkaProducerConfig?: Record<string, string | number | boolean>;
}

/**
 * The Kafka reporter's settings, resolved once (option > `SW_KAFKA_*` env > default) like the
 * Python agent's: bootstrap servers, a namespace that prefixes every topic (`<namespace>-<topic>`,
 * as the OAP's kafka-fetcher does), topic overrides, and producer settings given with Kafka's
 * own property names (`compression.type` or `compression_type`; env `SW_KAFKA_REPORTER_CONFIG_<key>`).
 */
export interface KafkaConfig {
  bootstrapServers: string[];
  namespace: string;
  /** Full topic names (namespace applied). */
  topics: { segment: string; management: string; log: string };
  producer: KafkaProducerSettings;
}

export type KafkaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type KafkaSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface KafkaProducerSettings {
  clientId: string;
  /** -1 (all in-sync replicas), 0 or 1. */
  acks: number;
  compression: KafkaCompression;
  /** How long records wait to fill a batch, ms (undefined: the reporter's flush interval). */
  lingerMs: number | undefined;
  /** Bytes of record values per produce request (Kafka's `max.request.size`). */
  maxRequestBytes: number;
  requestTimeoutMs: number | undefined;
  tls: { caPath: string; certPath: string; keyPath: string; checkHostname: boolean } | undefined;
  sasl: { mechanism: KafkaSaslMechanism; username: string; password: string } | undefined;
}

export const KAFKA_DEFAULTS = {
  bootstrapServers: 'localhost:9092',
  segmentTopic: 'skywalking-segments',
  managementTopic: 'skywalking-managements',
  /** What the OAP's kafka-fetcher consumes (the Java agent's own default, `skywalking-logging`, differs). */
  logTopic: 'skywalking-logs',
  maxRequestBytes: 1_000_000,
} as const;

export const KAFKA_CONFIG_ENV_PREFIX = 'SW_KAFKA_REPORTER_CONFIG_';

/** Producer property names we understand (normalised: lower case, `.` and `-` as `_`). */
export const PRODUCER_KEYS = [
  'acks',
  'compression_type',
  'linger_ms',
  'client_id',
  'max_request_size',
  'request_timeout_ms',
  'security_protocol',
  'sasl_mechanism',
  'sasl_plain_username',
  'sasl_plain_password',
  'sasl_username',
  'sasl_password',
  'sasl_jaas_config',
  'ssl_cafile',
  'ssl_certfile',
  'ssl_keyfile',
  'ssl_check_hostname',
] as const;

type Env = Record<string, string | undefined>;
type ProducerValue = string | number | boolean;

function normaliseKey(key: string): string {
  return key.trim().toLowerCase().replace(/[.-]/g, '_');
}

function text(options: KafkaOptions, env: Env, option: keyof KafkaOptions, envName: string, dflt: string): string {
  const o = options[option];
  if (o !== undefined && o !== null) {
    if (typeof o !== 'string')
      throw new ConfigError(
        `skywalking-bridge: option \`${String(option)}\` (or env ${envName}) is ${JSON.stringify(o)}; expected a string.`,
      );
    return o.trim();
  }
  const e = env[envName];
  return e !== undefined && e.trim() !== '' ? e.trim() : dflt;
}

const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;

function topic(
  options: KafkaOptions,
  env: Env,
  option: keyof KafkaOptions,
  envName: string,
  dflt: string,
  namespace: string,
): string {
  const t = text(options, env, option, envName, dflt);
  if (!TOPIC.test(t))
    throw new ConfigError(
      `skywalking-bridge: option \`${String(option)}\` (or env ${envName}) is ${JSON.stringify(t)}; expected a Kafka topic name (letters, digits, \`.\`, \`_\`, \`-\`).`,
    );
  return namespace === '' ? t : `${namespace}-${t}`;
}

/** Producer settings from the option object and `SW_KAFKA_REPORTER_CONFIG_<key>` env (the option wins per key). */
function producerEntries(options: KafkaOptions, env: Env): Map<string, { value: ProducerValue; from: string }> {
  const out = new Map<string, { value: ProducerValue; from: string }>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(KAFKA_CONFIG_ENV_PREFIX) || value === undefined || value.trim() === '') continue;
    out.set(normaliseKey(name.slice(KAFKA_CONFIG_ENV_PREFIX.length)), { value: value.trim(), from: `env ${name}` });
  }
  const given = options.kafkaProducerConfig;
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) {
      throw new ConfigError(
        'skywalking-bridge: option `kafkaProducerConfig` must be an object of Kafka producer properties, e.g. { "compression.type": "gzip" }.',
      );
    }
    for (const [key, value] of Object.entries(given)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new ConfigError(
          `skywalking-bridge: option \`kafkaProducerConfig\` key ${JSON.stringify(key)} is ${JSON.stringify(value)}; expected a string, number or boolean.`,
        );
      }
      out.set(normaliseKey(key), { value, from: `option \`kafkaProducerConfig\` key ${JSON.stringify(key)}` });
    }
  }
  for (const [key, { from }] of out) {
    if (!(PRODUCER_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `skywalking-bridge: ${from} is not a producer setting we know; supported (Kafka's names, \`.\` or \`_\`): ${PRODUCER_KEYS.join(', ')}.`,
      );
    }
  }
  return out;
}

/** Resolve the Kafka settings (only called when `reporter` is `kafka`). Throws `ConfigError` saying what to change. */
export function resolveKafkaConfig(options: KafkaOptions, env: Env, serviceName: string): KafkaConfig {
  const serversRaw = text(
    options,
    env,
    'kafkaBootstrapServers',
    'SW_KAFKA_BOOTSTRAP_SERVERS',
    KAFKA_DEFAULTS.bootstrapServers,
  );
  const bootstrapServers = parseAddresses(serversRaw);
  if (!bootstrapServers) {
    throw new ConfigError(
      `skywalking-bridge: option \`kafkaBootstrapServers\` (or env SW_KAFKA_BOOTSTRAP_SERVERS) is ${JSON.stringify(serversRaw)}; expected a comma-separated list of host:port, e.g. "kafka-1:9092,kafka-2:9092".`,
    );
  }
  const namespace = text(options, env, 'kafkaNamespace', 'SW_KAFKA_NAMESPACE', '');
  if (namespace !== '' && !TOPIC.test(namespace)) {
    throw new ConfigError(
      `skywalking-bridge: option \`kafkaNamespace\` (or env SW_KAFKA_NAMESPACE) is ${JSON.stringify(namespace)}; expected letters, digits, \`.\`, \`_\` or \`-\` (it prefixes the topic names).`,
    );
  }
  const topics = {
    segment: topic(options, env, 'kafkaTopicSegment', 'SW_KAFKA_TOPIC_SEGMENT', KAFKA_DEFAULTS.segmentTopic, namespace),
    management: topic(
      options,
      env,
      'kafkaTopicManagement',
      'SW_KAFKA_TOPIC_MANAGEMENT',
      KAFKA_DEFAULTS.managementTopic,
      namespace,
    ),
    log: topic(options, env, 'kafkaTopicLog', 'SW_KAFKA_TOPIC_LOG', KAFKA_DEFAULTS.logTopic, namespace),
  };
  return {
    bootstrapServers,
    namespace,
    topics,
    producer: producerSettings(producerEntries(options, env), serviceName),
  };
}

type ProducerEntry = { value: string; from: string };

/** The producer entries as trimmed text, and the error naming where a bad one came from. */
class ProducerReader {
  constructor(private readonly entries: Map<string, { value: ProducerValue; from: string }>) {}

  get(key: string): ProducerEntry | undefined {
    const e = this.entries.get(key);
    return e ? { value: String(e.value).trim(), from: e.from } : undefined;
  }

  /** The entry's text, or '' when absent. */
  text(key: string): string {
    return this.get(key)?.value ?? '';
  }

  bad(e: ProducerEntry, expected: string): never {
    throw new ConfigError(`skywalking-bridge: ${e.from} is ${JSON.stringify(e.value)}; expected ${expected}.`);
  }

  int(key: string, min: number, max: number): number | undefined {
    const e = this.get(key);
    if (!e) return undefined;
    const n = Number(e.value);
    if (!Number.isInteger(n) || n < min || n > max) this.bad(e, `a whole number from ${min} to ${max}`);
    return n;
  }
}

/** `acks`: all/-1 (default), 0 or 1. */
function acksOf(r: ProducerReader): number {
  const e = r.get('acks');
  if (!e) return -1;
  const a = e.value.toLowerCase();
  if (a === 'all' || a === '-1') return -1;
  if (a === '0' || a === '1') return Number(a);
  return r.bad(e, '"all", "-1", "0" or "1"');
}

/** `compression.type`: none (default), gzip, snappy, lz4, or zstd where this Node.js has it. */
function compressionOf(r: ProducerReader): KafkaCompression {
  const e = r.get('compression_type');
  if (!e) return 'none';
  const c = e.value.toLowerCase();
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(c)) r.bad(e, 'one of none, gzip, snappy, lz4, zstd');
  if (c === 'zstd' && typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync !== 'function') {
    r.bad(
      e,
      `a compression this Node.js (${process.version}) has: zstd needs Node.js 22.15 or later; use gzip, snappy or lz4`,
    );
  }
  return c as KafkaCompression;
}

/** `security.protocol`, upper case ('' when not given). */
function securityProtocolOf(r: ProducerReader): string {
  const e = r.get('security_protocol');
  const protocol = (e?.value ?? '').toUpperCase();
  if (e && !['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    r.bad(e, 'one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL');
  }
  return protocol;
}

/** TLS: with an SSL protocol, or with no protocol and a CA or client certificate given. */
function tlsOf(r: ProducerReader, protocol: string): KafkaProducerSettings['tls'] {
  const caPath = r.text('ssl_cafile');
  const certPath = r.text('ssl_certfile');
  const keyPath = r.text('ssl_keyfile');
  if ((certPath === '') !== (keyPath === '')) {
    throw new ConfigError(
      'skywalking-bridge: Kafka mutual TLS needs both `ssl.certfile` and `ssl.keyfile` (SW_KAFKA_REPORTER_CONFIG_ssl_certfile / _ssl_keyfile); set both or neither.',
    );
  }
  const checkEntry = r.get('ssl_check_hostname');
  let checkHostname = true;
  if (checkEntry) {
    const v = checkEntry.value.toLowerCase();
    if (v === 'false' || v === '0') checkHostname = false;
    else if (v !== 'true' && v !== '1') r.bad(checkEntry, 'true or false');
  }
  const useTls =
    protocol === 'SSL' || protocol === 'SASL_SSL' || (protocol === '' && (caPath !== '' || certPath !== ''));
  return useTls ? { caPath, certPath, keyPath, checkHostname } : undefined;
}

/** A quoted value of `sasl.jaas.config` (`username="..."`), unescaped. */
function jaasValue(jaas: string, name: string): string | undefined {
  return new RegExp(`${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1');
}

/** SASL: with a SASL protocol, or with no protocol and a mechanism or user name given. */
function saslOf(r: ProducerReader, protocol: string): KafkaProducerSettings['sasl'] {
  const jaas = r.text('sasl_jaas_config');
  const username =
    r.get('sasl_plain_username')?.value ?? r.get('sasl_username')?.value ?? jaasValue(jaas, 'username') ?? '';
  const password =
    r.get('sasl_plain_password')?.value ?? r.get('sasl_password')?.value ?? jaasValue(jaas, 'password') ?? '';
  const mechanismEntry = r.get('sasl_mechanism');
  const wantsSasl =
    protocol === 'SASL_PLAINTEXT' ||
    protocol === 'SASL_SSL' ||
    (protocol === '' && (mechanismEntry !== undefined || username !== ''));
  if (!wantsSasl) return undefined;
  const mechanism = (mechanismEntry?.value ?? 'PLAIN').toUpperCase();
  if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism))
    r.bad(mechanismEntry!, 'one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512');
  if (username === '' || password === '') {
    throw new ConfigError(
      'skywalking-bridge: Kafka SASL needs a user name and a password: set `sasl.username` and `sasl.password` (SW_KAFKA_REPORTER_CONFIG_sasl_username / _sasl_password), or `sasl.jaas.config`.',
    );
  }
  return { mechanism: mechanism as KafkaSaslMechanism, username, password };
}

function producerSettings(
  entries: Map<string, { value: ProducerValue; from: string }>,
  serviceName: string,
): KafkaProducerSettings {
  const r = new ProducerReader(entries);
  const acks = acksOf(r);
  const compression = compressionOf(r);
  const protocol = securityProtocolOf(r);
  const tls = tlsOf(r, protocol);
  const sasl = saslOf(r, protocol);
  return {
    clientId: r.get('client_id')?.value || `skywalking-bridge-${serviceName}`.slice(0, 200),
    acks,
    compression,
    lingerMs: r.int('linger_ms', 0, 600_000),
    maxRequestBytes: r.int('max_request_size', 1024, 100 * 1024 * 1024) ?? KAFKA_DEFAULTS.maxRequestBytes,
    requestTimeoutMs: r.int('request_timeout_ms', 100, 600_000),
    tls,
    sasl,
  };
}
