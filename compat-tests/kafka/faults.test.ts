/**
 * The Kafka reporter when the broker is not there, in an application process of its own
 * (child.js, configured by env): a broker that is down when the application starts and comes up
 * later (the queued segments arrive), and a broker killed (SIGKILL) mid-stream and restarted (the
 * application does not crash; every segment ends in exactly one of sent / dropped / lost, and the
 * topic holds every sent one).
 */
import { createTopics, forkChild, readTopic, waitForRecords } from './kafka-support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { prepareBroker } = require('./broker');
const tracingPb = require('skywalking-backend-js/lib/proto/language-agent/Tracing_pb.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface Broker {
  bootstrap: string;
  start(): Promise<unknown>;
  kill(): Promise<void>;
  destroy(): Promise<void>;
}
const TOPICS = ['skywalking-segments', 'skywalking-managements', 'skywalking-logs'];
const operationOf = (value: Buffer): string =>
  tracingPb.SegmentObject.deserializeBinary(new Uint8Array(value)).getSpansList()[0].getOperationname();

it('broker down when the application starts, up later: the queued segments arrive, none lost', async () => {
  const broker: Broker = await prepareBroker();
  const child = await forkChild({
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    SW_AGENT_NAME: 'early',
    SW_AGENT_INSTANCE_NAME: 'early-1',
  });
  try {
    await child.command({ cmd: 'report', n: 20, prefix: 'early' });
    const waiting = await child.command({ cmd: 'flush', ms: 1500 });
    expect(waiting.stats).toMatchObject({ sent: 0, queued: 20, dropped: 0, lost: 0 });
    expect(waiting.stats.failedBatches).toBeGreaterThanOrEqual(1);
    // flushing retries a failed cluster every 500 ms, not at every turn of its loop
    expect(waiting.stats.failedBatches).toBeLessThanOrEqual(5);
    expect(child.stderr().split(`cannot reach Kafka at ${broker.bootstrap}`).length - 1).toBe(1);

    await broker.start();
    await createTopics(broker.bootstrap, TOPICS);
    const flushed = await child.command({ cmd: 'flushUntilSent', sent: 20, ms: 40_000 });
    expect(flushed.stats).toMatchObject({ sent: 20, queued: 0, dropped: 0, lost: 0 });
    const records = await readTopic(broker.bootstrap, 'skywalking-segments');
    expect(records.map((r) => operationOf(r.value))).toEqual(Array.from({ length: 20 }, (_, i) => `early-${i}`));
    const final = await child.command({ cmd: 'shutdown', ms: 3000 });
    expect(final.stats).toMatchObject({ sent: 20, queued: 0, dropped: 0, lost: 0 });
    expect(await child.exited).toBe(0);
  } finally {
    child.kill();
    await broker.destroy();
  }
});

it('broker killed mid-stream and restarted: no crash, every segment in exactly one of sent/dropped/lost, every sent one in the topic', async () => {
  const broker: Broker = await prepareBroker();
  await broker.start();
  await createTopics(broker.bootstrap, TOPICS);
  const N = 3000;
  const child = await forkChild({
    SW_BRIDGE_REPORTER: 'kafka',
    SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
    SW_AGENT_NAME: 'stream',
    SW_AGENT_INSTANCE_NAME: 'stream-1',
    SW_AGENT_MAX_BUFFER_SIZE: '500',
    SW_BRIDGE_BATCH_SIZE: '50',
    SW_BRIDGE_FLUSH_INTERVAL: '20',
    SW_AGENT_TRACE_TIMEOUT: '3000',
  });
  try {
    const streaming = child.command({ cmd: 'stream', n: N, every: 10, perTick: 5, prefix: 'stream' }, 120_000);
    await waitForRecords(broker.bootstrap, 'skywalking-segments', 100);
    await broker.kill();
    const during = await streaming;
    expect(during.reported).toBe(N);
    await broker.start();
    const drained = await child.command({ cmd: 'flushUntilEmpty', ms: 60_000 });
    expect(drained.stats.queued).toBe(0);
    const final = await child.command({ cmd: 'shutdown', ms: 5000 });
    expect(await child.exited).toBe(0);
    const { sent, dropped, lost } = final.stats;
    expect(sent + dropped + lost).toBe(N);
    expect(sent).toBeGreaterThanOrEqual(100);
    // the stream outran the broker's absence: the bounded queue dropped the oldest
    expect(dropped).toBeGreaterThan(0);
    const records = await readTopic(broker.bootstrap, 'skywalking-segments');
    const operations = records.map((r) => operationOf(r.value));
    const distinct = new Set(operations);
    // acknowledged records survive the broker's SIGKILL; lost ones may or may not have been written
    expect(distinct.size).toBeGreaterThanOrEqual(sent);
    expect(distinct.size).toBeLessThanOrEqual(sent + lost);
    for (const op of distinct) expect(op).toMatch(/^stream-\d+$/);
    expect(child.stderr()).toContain(`cannot reach Kafka at ${broker.bootstrap}`);
    console.log(
      `[kafka faults] ${N} segments: sent ${sent}, dropped ${dropped}, lost ${lost}; ${records.length} records (${distinct.size} distinct) in the topic`,
    );
  } finally {
    child.kill();
    await broker.destroy();
  }
});
