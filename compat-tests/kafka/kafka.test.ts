/**
 * The Kafka reporter against a real Apache Kafka 4.4 broker (broker.js): the exact records the OAP's
 * kafka-fetcher reads (topic, key, value decoded with skywalking-backend-js's generated classes) for
 * segments from the OpenTracing tracer and the OpenTelemetry processor, instance properties and
 * pings, logs; env-only configuration, a topic that does not exist and refused credentials in
 * processes of their own. Each test uses its own namespace, so its topics hold only its records.
 */
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { FORMAT_HTTP_HEADERS, Tags } from 'opentracing';
import { resolveConfig } from '../../src/base/config';
import { SpanLayer, SpanType, type SegmentObject } from '../../src/base/model';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { KafkaReporter } from '../../src/reporter/kafka';
import { instanceProperties } from '../../src/reporter/properties';
import type { Reporter } from '../../src/reporter/types';
import { createTopics, forkChild, partitionEnds, readTopic, segmentAsPbObject, waitForRecords } from './kafka-support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startBroker } = require('./broker');
const tracingPb = require('skywalking-backend-js/lib/proto/language-agent/Tracing_pb.js');
const managementPb = require('skywalking-backend-js/lib/proto/management/Management_pb.js');
const loggingPb = require('skywalking-backend-js/lib/proto/logging/Logging_pb.js');
const commonPb = require('skywalking-backend-js/lib/proto/common/Common_pb.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface Broker {
  bootstrap: string;
  saslBootstrap: string;
  sslBootstrap: string;
  caPath: string;
  destroy(): Promise<void>;
}
let broker: Broker;
const TOPICS = ['skywalking-segments', 'skywalking-managements', 'skywalking-logs'];
const topicsOf = (ns: string): string[] => TOPICS.map((t) => `${ns}-${t}`);

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  broker = await startBroker({ sasl: { username: 'alice', password: 'alice-secret' }, tls: true });
});
afterAll(async () => {
  context.disable();
  await broker?.destroy();
});

const decodeSegment = (value: Buffer) => tracingPb.SegmentObject.deserializeBinary(new Uint8Array(value)).toObject();

it('OpenTracing: one record per segment in <ns>-skywalking-segments, keyed by segment id, value = the SegmentObject', async () => {
  await createTopics(broker.bootstrap, topicsOf('ot'));
  const config = resolveConfig(
    {
      serviceName: 'orders',
      serviceInstance: 'orders-1',
      reporter: 'kafka',
      kafkaBootstrapServers: broker.bootstrap,
      kafkaNamespace: 'ot',
      heartbeatPeriod: 3600,
    },
    {},
  );
  expect(config.kafka!.topics).toEqual({
    segment: 'ot-skywalking-segments',
    management: 'ot-skywalking-managements',
    log: 'ot-skywalking-logs',
  });
  const kafka = new KafkaReporter(config);
  const seen: SegmentObject[] = [];
  const tee: Reporter = {
    report(s) {
      seen.push(s.toSegmentObject());
      kafka.report(s);
    },
    flush: (ms) => kafka.flush(ms),
    shutdown: (ms) => kafka.shutdown(ms),
    stats: () => kafka.stats(),
  };
  const orders = new SkyWalkingTracer({ serviceName: 'orders', serviceInstance: 'orders-1', reporter: tee });
  const inventory = new SkyWalkingTracer({ serviceName: 'inventory', serviceInstance: 'inventory-1', reporter: tee });
  try {
    const entry = orders.startSpan('GET:/orders', {
      tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.HTTP_METHOD]: 'GET' },
    });
    const exit = orders.startSpan('/stock', {
      childOf: entry,
      tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT, [Tags.PEER_HOST_IPV4]: '10.0.0.7', [Tags.PEER_PORT]: 8080 },
    });
    const headers: Record<string, string> = {};
    orders.inject(exit, FORMAT_HTTP_HEADERS, headers);
    const remote = inventory.startSpan('GET:/stock', {
      childOf: inventory.extract(FORMAT_HTTP_HEADERS, headers)!,
      tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER },
    });
    remote.log({ event: 'reserved', count: 3 });
    remote.finish();
    exit.finish();
    entry.finish();
    await kafka.flush(15_000);
    expect(kafka.stats()).toMatchObject({ sent: 2, queued: 0, dropped: 0, lost: 0 });
    const records = await readTopic(broker.bootstrap, 'ot-skywalking-segments');
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.topic)).toEqual(['ot-skywalking-segments', 'ot-skywalking-segments']);
    expect(seen).toHaveLength(2);
    for (const r of records) {
      const decoded = decodeSegment(r.value);
      expect(r.key).toBe(decoded.tracesegmentid);
      const ours = seen.find((s) => s.traceSegmentId === r.key)!;
      expect(decoded).toEqual(segmentAsPbObject(ours));
    }
    const [inv, ord] = [seen.find((s) => s.service === 'inventory')!, seen.find((s) => s.service === 'orders')!];
    expect(inv.spans[0]!.refs[0]).toMatchObject({
      parentTraceSegmentId: ord.traceSegmentId,
      parentService: 'orders',
      parentServiceInstance: 'orders-1',
      parentEndpoint: 'GET:/orders',
    });
  } finally {
    await kafka.shutdown(2000);
  }
});

it('a topic of 3 partitions: each request goes whole to one partition, the next request to the next one; every record once', async () => {
  await createTopics(broker.bootstrap, topicsOf('parts'), 3);
  const kafka = new KafkaReporter(
    resolveConfig(
      {
        serviceName: 'orders',
        serviceInstance: 'orders-1',
        reporter: 'kafka',
        kafkaBootstrapServers: broker.bootstrap,
        kafkaNamespace: 'parts',
        heartbeatPeriod: 3600,
      },
      {},
    ),
  );
  const tracer = new SkyWalkingTracer({ serviceName: 'orders', serviceInstance: 'orders-1', reporter: kafka });
  try {
    // three requests of 50 segments (a flush after each)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) tracer.startSpan(`op-${round}-${i}`).finish();
      await kafka.flush(15_000);
      expect(kafka.stats()).toMatchObject({ sent: 50 * (round + 1), queued: 0, dropped: 0, lost: 0 });
    }
    // each request whole in one partition and every record once; a request a partition refused (a
    // fresh topic's leader not ready yet) went back to the queue and then to the next partition
    const ends = await partitionEnds(broker.bootstrap, 'parts-skywalking-segments');
    expect(ends).toHaveLength(3);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(150);
    expect(ends.every((n) => n % 50 === 0)).toBe(true);
    expect(ends.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  } finally {
    await kafka.shutdown(2000);
  }
});

it('OpenTelemetry processor: segments, then InstanceProperties (key register-<instance>) and InstancePingPkg (key <instance>)', async () => {
  await createTopics(broker.bootstrap, topicsOf('otel'));
  const processor = new SkyWalkingSpanProcessor({
    reporter: 'kafka',
    kafkaBootstrapServers: broker.bootstrap,
    kafkaNamespace: 'otel',
    flushIntervalMs: 50,
    heartbeatPeriod: 1,
    instanceProperties: { team: 'payments' },
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'checkout-1' }),
    spanProcessors: [processor],
  });
  try {
    const tracer = provider.getTracer('@opentelemetry/instrumentation-http');
    const server = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': '/cart' },
    });
    const client = tracer.startSpan(
      'GET',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'GET',
          'server.address': 'pricing',
          'server.port': 8080,
          'url.full': 'http://pricing:8080/price',
        },
      },
      trace.setSpan(ROOT_CONTEXT, server),
    );
    client.end();
    server.end();
    await processor.bridge.flush(15_000);
    expect(processor.bridge.stats()).toMatchObject({ sent: 1, queued: 0, dropped: 0, lost: 0 });
    const [record, ...more] = await readTopic(broker.bootstrap, 'otel-skywalking-segments');
    expect(more).toEqual([]);
    const decoded = decodeSegment(record!.value);
    expect(record!.key).toBe(decoded.tracesegmentid);
    expect(decoded.service).toBe('checkout');
    expect(decoded.serviceinstance).toBe('checkout-1');
    expect(decoded.traceid).toMatch(/^[0-9a-f]{32}$/);
    expect(
      decoded.spansList.map(
        (s: {
          spanid: number;
          parentspanid: number;
          spantype: number;
          spanlayer: number;
          operationname: string;
          peer: string;
        }) => [s.spanid, s.parentspanid, s.spantype, s.spanlayer, s.operationname, s.peer],
      ),
    ).toEqual([
      [1, 0, SpanType.Exit, SpanLayer.Http, '/price', 'pricing:8080'],
      [0, -1, SpanType.Entry, SpanLayer.Http, 'GET:/cart', ''],
    ]);

    // the heartbeat started with the identity from the resource: properties, then a ping per second
    await waitForRecords(broker.bootstrap, 'otel-skywalking-managements', 3, 20_000);
    const management = (await readTopic(broker.bootstrap, 'otel-skywalking-managements')).slice(0, 3);
    expect(management.map((m) => m.key)).toEqual(['register-checkout-1', 'checkout-1', 'checkout-1']);
    const props = managementPb.InstanceProperties.deserializeBinary(new Uint8Array(management[0]!.value)).toObject();
    expect(props).toEqual({
      service: 'checkout',
      serviceinstance: 'checkout-1',
      propertiesList: instanceProperties({ team: 'payments' }),
      layer: '',
    });
    for (const ping of management.slice(1)) {
      expect(managementPb.InstancePingPkg.deserializeBinary(new Uint8Array(ping.value)).toObject()).toEqual({
        service: 'checkout',
        serviceinstance: 'checkout-1',
        layer: '',
      });
    }
  } finally {
    await provider.shutdown();
  }
});

it('logs: reportLog(LogData bytes) lands in <ns>-skywalking-logs keyed by the service, bytes unchanged', async () => {
  await createTopics(broker.bootstrap, topicsOf('logs'));
  const kafka = new KafkaReporter(
    resolveConfig(
      {
        serviceName: 'orders',
        reporter: 'kafka',
        kafkaBootstrapServers: broker.bootstrap,
        kafkaNamespace: 'logs',
        heartbeatPeriod: 3600,
      },
      {},
    ),
  );
  try {
    const logData = (service: string, text: string): Buffer => {
      const ld = new loggingPb.LogData();
      ld.setTimestamp(1_700_000_000_123);
      ld.setService(service);
      ld.setServiceinstance(`${service}-1`);
      ld.setEndpoint('GET:/orders');
      const body = new loggingPb.LogDataBody();
      const t = new loggingPb.TextLog();
      t.setText(text);
      body.setText(t);
      ld.setBody(body);
      const tc = new loggingPb.TraceContext();
      tc.setTraceid('0af7651916cd43dd8448eb211c80319c');
      tc.setTracesegmentid('b7ad6b7169203331a1b2c3d4e5f60718');
      tc.setSpanid(2);
      ld.setTracecontext(tc);
      const tags = new loggingPb.LogTags();
      const level = new commonPb.KeyStringValuePair();
      level.setKey('level');
      level.setValue('ERROR');
      tags.addData(level);
      ld.setTags(tags);
      return Buffer.from(ld.serializeBinary());
    };
    const sent = [logData('orders', 'payment declined'), logData('billing', 'invoice 42 written')];
    for (const b of sent) kafka.reportLog(b);
    await kafka.flush(15_000);
    expect(kafka.logStats()).toEqual({ queued: 0, sent: 2, dropped: 0, lost: 0 });
    const records = await readTopic(broker.bootstrap, 'logs-skywalking-logs');
    expect(records.map((r) => [r.topic, r.key])).toEqual([
      ['logs-skywalking-logs', 'orders'],
      ['logs-skywalking-logs', 'billing'],
    ]);
    expect(records.map((r) => r.value)).toEqual(sent);
    expect(loggingPb.LogData.deserializeBinary(new Uint8Array(records[1]!.value)).getBody().getText().getText()).toBe(
      'invoice 42 written',
    );
  } finally {
    await kafka.shutdown(2000);
  }
});

it('configured by env only in its own process: SW_BRIDGE_REPORTER=kafka, namespace, topic override, producer settings', async () => {
  await createTopics(broker.bootstrap, ['env-custom-segments', 'env-skywalking-managements']);
  const child = await forkChild({
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    SW_KAFKA_NAMESPACE: 'env',
    SW_KAFKA_TOPIC_SEGMENT: 'custom-segments',
    SW_KAFKA_REPORTER_CONFIG_compression_type: 'gzip',
    SW_KAFKA_REPORTER_CONFIG_acks: 'all',
    SW_KAFKA_REPORTER_CONFIG_linger_ms: '20',
    SW_AGENT_NAME: 'env-svc',
    SW_AGENT_INSTANCE_NAME: 'env-1',
  });
  try {
    await child.command({ cmd: 'report', n: 25, prefix: 'env' });
    const flushed = await child.command({ cmd: 'flushUntilSent', sent: 25, ms: 20_000 });
    expect(flushed.stats).toMatchObject({ sent: 25, queued: 0, dropped: 0, lost: 0 });
    const records = await readTopic(broker.bootstrap, 'env-custom-segments');
    expect(records).toHaveLength(25);
    const decoded = records.map((r) => ({ key: r.key, s: decodeSegment(r.value) }));
    for (const { key, s } of decoded) {
      expect(key).toBe(s.tracesegmentid);
      expect([s.service, s.serviceinstance]).toEqual(['env-svc', 'env-1']);
    }
    expect(decoded.map(({ s }) => s.spansList[0].operationname).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `env-${i}`).sort(),
    );
    await waitForRecords(broker.bootstrap, 'env-skywalking-managements', 2);
    expect((await readTopic(broker.bootstrap, 'env-skywalking-managements')).slice(0, 2).map((r) => r.key)).toEqual([
      'register-env-1',
      'env-1',
    ]);
    const final = await child.command({ cmd: 'shutdown', ms: 5000 });
    expect(final.stats).toMatchObject({ sent: 25, queued: 0, dropped: 0, lost: 0 });
    expect(await child.exited).toBe(0);
    expect(child.stderr()).toBe('');
  } finally {
    child.kill();
  }
});

it('an application that never calls shutdown() still exits by itself (the broker connections are unref-ed)', async () => {
  await createTopics(broker.bootstrap, topicsOf('leave'));
  const child = await forkChild({
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    SW_KAFKA_NAMESPACE: 'leave',
    SW_AGENT_NAME: 'leave-svc',
  });
  try {
    await child.command({ cmd: 'report', n: 3, prefix: 'leave' });
    const flushed = await child.command({ cmd: 'flushUntilSent', sent: 3, ms: 20_000 });
    expect(flushed.stats).toMatchObject({ sent: 3, queued: 0 });
    await child.command({ cmd: 'leave' });
    const exit = await Promise.race([
      child.exited,
      new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000)),
    ]);
    expect(exit).toBe(0);
  } finally {
    child.kill();
  }
});

it('a topic that does not exist (auto-creation off): explained once, records stay queued, sent once it exists', async () => {
  const child = await forkChild({
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    SW_KAFKA_NAMESPACE: 'absent',
    SW_AGENT_NAME: 'absent-svc',
    SW_AGENT_INSTANCE_NAME: 'absent-1',
  });
  try {
    await child.command({ cmd: 'report', n: 5, prefix: 'absent' });
    await child.command({ cmd: 'flush', ms: 2500 });
    const waiting = await child.command({ cmd: 'flush', ms: 2500 });
    expect(waiting.stats).toMatchObject({ sent: 0, queued: 5, dropped: 0, lost: 0 });
    const line = 'the Kafka topic absent-skywalking-segments does not exist';
    expect(child.stderr().split(line).length - 1).toBe(1);
    expect(child.stderr()).toContain('the Kafka topic absent-skywalking-managements does not exist');

    await createTopics(broker.bootstrap, topicsOf('absent'));
    const flushed = await child.command({ cmd: 'flushUntilSent', sent: 5, ms: 20_000 });
    expect(flushed.stats).toMatchObject({ sent: 5, queued: 0, dropped: 0, lost: 0 });
    expect(
      (await readTopic(broker.bootstrap, 'absent-skywalking-segments')).map(
        (r) => decodeSegment(r.value).spansList[0].operationname,
      ),
    ).toEqual(['absent-0', 'absent-1', 'absent-2', 'absent-3', 'absent-4']);
    await child.command({ cmd: 'shutdown', ms: 3000 });
    expect(await child.exited).toBe(0);
    expect(child.stderr().split(line).length - 1).toBe(1);
  } finally {
    child.kill();
  }
});

it('a broker that refuses our credentials (SASL/PLAIN): explained once, nothing thrown, records kept then dropped at shutdown; the right password delivers', async () => {
  await createTopics(broker.bootstrap, topicsOf('sasl'));
  const env = {
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.saslBootstrap,
    SW_KAFKA_NAMESPACE: 'sasl',
    SW_KAFKA_REPORTER_CONFIG_security_protocol: 'SASL_PLAINTEXT',
    SW_KAFKA_REPORTER_CONFIG_sasl_mechanism: 'PLAIN',
    SW_KAFKA_REPORTER_CONFIG_sasl_username: 'alice',
    SW_AGENT_NAME: 'sasl-svc',
  };
  const refused = await forkChild({ ...env, SW_KAFKA_REPORTER_CONFIG_sasl_password: 'not-the-password' });
  try {
    await refused.command({ cmd: 'report', n: 3, prefix: 'refused' });
    await refused.command({ cmd: 'flush', ms: 1500 });
    const waiting = await refused.command({ cmd: 'flush', ms: 1500 });
    expect(waiting.stats).toMatchObject({ sent: 0, queued: 3, dropped: 0, lost: 0 });
    expect(waiting.stats.failedBatches).toBeGreaterThanOrEqual(2);
    expect(refused.stderr().split('refused our credentials').length - 1).toBe(1);
    const final = await refused.command({ cmd: 'shutdown', ms: 500 });
    expect(final.stats).toMatchObject({ sent: 0, queued: 0, dropped: 3, lost: 0 });
    expect(await refused.exited).toBe(0);
  } finally {
    refused.kill();
  }
  const accepted = await forkChild({ ...env, SW_KAFKA_REPORTER_CONFIG_sasl_password: 'alice-secret' });
  try {
    await accepted.command({ cmd: 'report', n: 3, prefix: 'accepted' });
    const flushed = await accepted.command({ cmd: 'flushUntilSent', sent: 3, ms: 20_000 });
    expect(flushed.stats).toMatchObject({ sent: 3, queued: 0, dropped: 0, lost: 0 });
    const records = await readTopic(broker.bootstrap, 'sasl-skywalking-segments');
    expect(records.map((r) => decodeSegment(r.value).spansList[0].operationname)).toEqual([
      'accepted-0',
      'accepted-1',
      'accepted-2',
    ]);
    await accepted.command({ cmd: 'shutdown', ms: 3000 });
    expect(await accepted.exited).toBe(0);
    expect(accepted.stderr()).not.toContain('refused');
  } finally {
    accepted.kill();
  }
});

it('TLS (security.protocol SSL): with ssl.cafile the records arrive; without it the certificate is refused, explained once', async () => {
  await createTopics(broker.bootstrap, topicsOf('tls'));
  const env = {
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.sslBootstrap,
    SW_KAFKA_NAMESPACE: 'tls',
    SW_KAFKA_REPORTER_CONFIG_security_protocol: 'SSL',
    SW_AGENT_NAME: 'tls-svc',
  };
  const untrusted = await forkChild(env);
  try {
    await untrusted.command({ cmd: 'report', n: 2, prefix: 'untrusted' });
    await untrusted.command({ cmd: 'flush', ms: 1200 });
    const waiting = await untrusted.command({ cmd: 'flush', ms: 1200 });
    expect(waiting.stats).toMatchObject({ sent: 0, queued: 2, dropped: 0, lost: 0 });
    expect(untrusted.stderr().split('presented a certificate we do not accept').length - 1).toBe(1);
    await untrusted.command({ cmd: 'shutdown', ms: 300 });
    expect(await untrusted.exited).toBe(0);
  } finally {
    untrusted.kill();
  }
  const trusted = await forkChild({ ...env, SW_KAFKA_REPORTER_CONFIG_ssl_cafile: broker.caPath });
  try {
    await trusted.command({ cmd: 'report', n: 3, prefix: 'trusted' });
    const flushed = await trusted.command({ cmd: 'flushUntilSent', sent: 3, ms: 20_000 });
    expect(flushed.stats).toMatchObject({ sent: 3, queued: 0, dropped: 0, lost: 0 });
    expect(
      (await readTopic(broker.bootstrap, 'tls-skywalking-segments')).map(
        (r) => decodeSegment(r.value).spansList[0].operationname,
      ),
    ).toEqual(['trusted-0', 'trusted-1', 'trusted-2']);
    await trusted.command({ cmd: 'shutdown', ms: 3000 });
    expect(await trusted.exited).toBe(0);
    expect(trusted.stderr()).toBe('');
  } finally {
    trusted.kill();
  }
});
