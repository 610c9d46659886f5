/**
 * The Kafka reporter against a slow broker: a real one (broker.js) behind a proxy that holds its
 * answers to Produce requests until the test releases them (produce-holder.ts). The same
 * semantics as test/reporter/delivery-faults.test.ts's slow gRPC server, for Kafka segments and
 * Kafka logs: a batch answered late is sent once (the topic holds it once), and shutdown while a
 * batch waits for its answer settles without it (within its timeout, `reportTimeoutMs` when none is
 * given): that batch is lost, what was queued behind it dropped, a late answer changes nothing.
 * Every wait is for an event (records in the topic, an answer held, a promise), never a time bound.
 * The reporters wait for their identity (`lateIdentity`), so the only Produce requests are the
 * batches': the answers held are theirs.
 */
import { resolveConfig } from '../../src/base/config';
import { resetDiagnostics, setLogger } from '../../src/base/diag';
import type { SegmentObject } from '../../src/base/model';
import type { LogData } from '../../src/protocol/log-encoder';
import { KafkaReporter } from '../../src/reporter/kafka';
import type { Reporter } from '../../src/reporter/types';
import { segmentObject, spanObject } from '../../test/support/fixtures';
import { createTopics, endOffsets } from './kafka-support';
import { type ProduceHolder, startProduceHolder } from './produce-holder';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startBroker } = require('./broker');
/* eslint-enable @typescript-eslint/no-require-imports */

interface Counts {
  queued: number;
  sent: number;
  dropped: number;
  lost: number;
}

interface TransportCase {
  name: string;
  /** The topic (without its namespace) the records go to. */
  topic: string;
  report(reporter: Reporter, i: number): void;
  counts(reporter: Reporter): Counts;
}

const segment = (i: number): SegmentObject =>
  segmentObject({
    traceId: `trace-${i}`,
    traceSegmentId: `segment-${i}`,
    spans: [spanObject({ startTime: 1, endTime: 2, operationName: `op-${i}` })],
  });

const logData = (i: number): LogData => ({
  timestamp: 1,
  service: 'svc',
  serviceInstance: 'svc-1',
  endpoint: '',
  body: { text: { text: `line ${i}` } },
  tags: [],
  layer: '',
});

const TRANSPORTS: TransportCase[] = [
  {
    name: 'Kafka segments',
    topic: 'skywalking-segments',
    report: (r, i) => r.report({ toSegmentObject: () => segment(i) }),
    counts: (r) => {
      const { queued, sent, dropped, lost } = r.stats();
      return { queued, sent, dropped, lost };
    },
  },
  {
    name: 'Kafka logs',
    topic: 'skywalking-logs',
    report: (r, i) => r.reportLog!(logData(i)),
    counts: (r) => {
      const { queued, sent, dropped, lost } = r.stats().logs!;
      return { queued, sent, dropped, lost };
    },
  },
];
const TOPICS = ['skywalking-segments', 'skywalking-managements', 'skywalking-logs'];

interface Broker {
  bootstrap: string;
  proxiedTarget: string;
  destroy(): Promise<void>;
}
let broker: Broker;
let proxy: ProduceHolder;
let reporter: Reporter | undefined;
let namespaces = 0;

beforeAll(async () => {
  proxy = await startProduceHolder();
  broker = await startBroker({ advertisedProxyPort: proxy.port });
  proxy.setTarget(broker.proxiedTarget);
});
afterAll(async () => {
  await proxy?.stop();
  await broker?.destroy();
});
beforeEach(() => {
  resetDiagnostics();
  setLogger({ error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined });
});
afterEach(async () => {
  setLogger(undefined);
  proxy.release();
  await reporter?.shutdown(100);
  reporter = undefined;
});

/** A reporter through the proxy, to topics of a namespace of its own (created here); the full topic name. */
async function slowReporter(t: TransportCase, reportTimeoutMs: number): Promise<{ r: Reporter; topic: string }> {
  const ns = `slow-${++namespaces}`;
  await createTopics(
    broker.bootstrap,
    TOPICS.map((name) => `${ns}-${name}`),
  );
  proxy.hold();
  const config = resolveConfig(
    {
      serviceName: 'svc',
      serviceInstance: 'svc-1',
      flushIntervalMs: 50,
      heartbeatPeriod: 3600,
      reporter: 'kafka',
      kafkaBootstrapServers: proxy.address,
      kafkaNamespace: ns,
      reportTimeoutMs,
    },
    {},
  );
  const r = (reporter = new KafkaReporter(config, { lateIdentity: true }));
  return { r, topic: `${ns}-${t.topic}` };
}

const recordsIn = async (topic: string): Promise<number> => (await endOffsets(broker.bootstrap, [topic])).get(topic)!;

describe.each(TRANSPORTS)('$name, a slow broker', (t) => {
  it('a batch answered late is sent once', async () => {
    // the batch's own deadline (reportTimeoutMs) is far: only the held answer keeps it waiting
    const { r, topic } = await slowReporter(t, 60_000);
    for (let i = 0; i < 3; i++) t.report(r, i);
    await proxy.waitForHeld(1);
    // appended by the broker, its answer held: neither queued nor sent yet
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 0, lost: 0 });
    expect(await recordsIn(topic)).toBe(3);
    const flushed = r.flush(60_000);
    proxy.release();
    await flushed;
    expect(t.counts(r)).toEqual({ queued: 0, sent: 3, dropped: 0, lost: 0 });
    expect(await recordsIn(topic)).toBe(3);
  });

  it('shutdown while a batch waits for its answer: that batch is lost, the queue dropped, a late answer changes nothing', async () => {
    const { r, topic } = await slowReporter(t, 60_000);
    for (let i = 0; i < 2; i++) t.report(r, i);
    await proxy.waitForHeld(1);
    t.report(r, 2);
    await r.shutdown(500);
    // settled while the answer is still held: sent + dropped + lost = 3 reported
    expect(proxy.held()).toBe(1);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 1, lost: 2 });
    proxy.release();
    await r.flush(50);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 1, lost: 2 });
    // "lost" is unacknowledged: the broker did append the batch, and only it
    expect(await recordsIn(topic)).toBe(2);
  });

  it('shutdown() without a timeout settles within reportTimeoutMs while the answer is held', async () => {
    const { r } = await slowReporter(t, 2000);
    for (let i = 0; i < 2; i++) t.report(r, i);
    await proxy.waitForHeld(1);
    await r.shutdown();
    expect(proxy.held()).toBe(1);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 0, lost: 2 });
  });
});
