/**
 * Kafka settings resolve once, option > SW_KAFKA_* env > default, with the Python agent's env
 * names, and bad values fail at construction saying what to change.
 */
import * as zlib from 'node:zlib';
import { ConfigError, resolveConfig } from '../../src/base/config';

const kafka = (options: Parameters<typeof resolveConfig>[0], env: Record<string, string> = {}) =>
  resolveConfig({ reporter: 'kafka', serviceName: 'orders', ...options }, env).kafka!;

it('defaults: localhost:9092, the OAP kafka-fetcher topics (logs: skywalking-logs), acks all, no compression', () => {
  expect(kafka({})).toEqual({
    bootstrapServers: ['localhost:9092'],
    namespace: '',
    topics: { segment: 'skywalking-segments', management: 'skywalking-managements', log: 'skywalking-logs' },
    producer: {
      clientId: 'skywalking-bridge-orders',
      acks: -1,
      compression: 'none',
      lingerMs: undefined,
      maxRequestBytes: 1_000_000,
      requestTimeoutMs: undefined,
      tls: undefined,
      sasl: undefined,
    },
  });
});

it('SW_BRIDGE_REPORTER=kafka selects it; the Kafka settings are resolved only for the Kafka reporter', () => {
  expect(resolveConfig({}, { SW_BRIDGE_REPORTER: 'kafka' }).kafka!.topics.segment).toBe('skywalking-segments');
  // a bad SW_KAFKA_* value does not break an application that reports over gRPC
  expect(resolveConfig({}, { SW_KAFKA_BOOTSTRAP_SERVERS: 'not an address' }).kafka).toBeUndefined();
});

it('namespace prefixes every topic, overrides included; option beats env', () => {
  const env = {
    SW_KAFKA_NAMESPACE: 'prod',
    SW_KAFKA_TOPIC_SEGMENT: 'segs',
    SW_KAFKA_TOPIC_LOG: 'logs',
    SW_KAFKA_BOOTSTRAP_SERVERS: 'k1:9092, k2:9093',
  };
  expect(kafka({}, env)).toMatchObject({
    bootstrapServers: ['k1:9092', 'k2:9093'],
    namespace: 'prod',
    topics: { segment: 'prod-segs', management: 'prod-skywalking-managements', log: 'prod-logs' },
  });
  expect(
    kafka({ kafkaNamespace: 'dev', kafkaTopicManagement: 'mgmt', kafkaBootstrapServers: 'k3:9092' }, env),
  ).toMatchObject({
    bootstrapServers: ['k3:9092'],
    topics: { segment: 'dev-segs', management: 'dev-mgmt', log: 'dev-logs' },
  });
});

it('producer settings by Kafka names, dotted or underscored, from SW_KAFKA_REPORTER_CONFIG_<key> and the option (option wins)', () => {
  const env = {
    SW_KAFKA_REPORTER_CONFIG_acks: '1',
    SW_KAFKA_REPORTER_CONFIG_compression_type: 'gzip',
    SW_KAFKA_REPORTER_CONFIG_LINGER_MS: '25',
    SW_KAFKA_REPORTER_CONFIG_security_protocol: 'SASL_SSL',
    SW_KAFKA_REPORTER_CONFIG_sasl_mechanism: 'SCRAM-SHA-512',
    SW_KAFKA_REPORTER_CONFIG_sasl_plain_username: 'alice',
    SW_KAFKA_REPORTER_CONFIG_sasl_plain_password: 'secret',
  };
  expect(
    kafka(
      {
        kafkaProducerConfig: {
          'compression.type': 'lz4',
          'max.request.size': 500_000,
          'client.id': 'edge',
          'ssl.check.hostname': false,
        },
      },
      env,
    ).producer,
  ).toEqual({
    clientId: 'edge',
    acks: 1,
    compression: 'lz4',
    lingerMs: 25,
    maxRequestBytes: 500_000,
    requestTimeoutMs: undefined,
    tls: { caPath: '', certPath: '', keyPath: '', checkHostname: false },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'secret' },
  });
});

it('SASL credentials from a Java-style sasl.jaas.config', () => {
  const p = kafka({
    kafkaProducerConfig: {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="p\\"w";',
    },
  }).producer;
  expect(p.sasl).toEqual({ mechanism: 'PLAIN', username: 'bob', password: 'p"w' });
  expect(p.tls).toBeUndefined();
});

it('fails fast, naming the setting and what to change', () => {
  const fails = (options: Parameters<typeof resolveConfig>[0], env: Record<string, string>, message: RegExp) => {
    expect(() => kafka(options, env)).toThrow(ConfigError);
    expect(() => kafka(options, env)).toThrow(message);
  };
  fails(
    {},
    { SW_KAFKA_BOOTSTRAP_SERVERS: 'kafka' },
    /SW_KAFKA_BOOTSTRAP_SERVERS\) is "kafka"; expected a comma-separated list of host:port/,
  );
  fails(
    {},
    { SW_KAFKA_REPORTER_CONFIG_batch_num_messages: '5' },
    /env SW_KAFKA_REPORTER_CONFIG_batch_num_messages is not a producer setting we know; supported/,
  );
  fails({ kafkaProducerConfig: { acks: 'some' } }, {}, /key "acks" is "some"; expected "all", "-1", "0" or "1"/);
  fails({}, { SW_KAFKA_REPORTER_CONFIG_compression_type: 'brotli' }, /expected one of none, gzip, snappy, lz4, zstd/);
  fails(
    {},
    { SW_KAFKA_REPORTER_CONFIG_security_protocol: 'SASL_PLAINTEXT', SW_KAFKA_REPORTER_CONFIG_sasl_username: 'a' },
    /Kafka SASL needs a user name and a password/,
  );
  fails({}, { SW_KAFKA_REPORTER_CONFIG_ssl_certfile: '/c.pem' }, /needs both `ssl.certfile` and `ssl.keyfile`/);
  fails({ kafkaTopicSegment: 'bad topic' }, {}, /expected a Kafka topic name/);
  fails({ kafkaNamespace: 'a/b' }, {}, /SW_KAFKA_NAMESPACE\) is "a\/b"/);
  fails({ kafkaProducerConfig: { linger_ms: -1 } }, {}, /linger_ms" is "-1"; expected a whole number from 0 to 600000/);
});

it('zstd only where this Node.js has it', () => {
  const resolve = () => kafka({ kafkaProducerConfig: { 'compression.type': 'zstd' } });
  if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function')
    expect(resolve().producer.compression).toBe('zstd');
  else expect(resolve).toThrow(/zstd needs Node.js 22.15 or later/);
});
