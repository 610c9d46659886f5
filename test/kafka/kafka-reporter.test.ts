/**
 * The Kafka reporter's bounds without a broker (a port where nothing listens: connections are
 * refused): the queue drops its oldest and counts it, flush() and shutdown() keep their deadlines,
 * the cause is explained once, and every segment ends in exactly one counter.
 */
import { createServer } from 'node:net';
import { resolveConfig } from '../../src/base/config';
import { resetDiagnostics, setLogger, setLogLevel } from '../../src/base/diag';
import { unpackIds as contextOfPacked } from '../../src/logs/carrier';
import { PinoKeys } from '../../src/pino/line';
import { PinoLineLog } from '../../src/pino/line-log';
import type { SegmentObject } from '../../src/base/model';
import { encodeLogData } from '../../src/protocol/log-encoder';
import { ProtoWriter } from '../../src/protocol/proto-writer';
import type { ByteQueue } from '../../src/reporter/byte-queue';
import { KafkaReporter } from '../../src/reporter/kafka';
import { logKeyOf, segmentKeyOf } from '../../src/reporter/kafka-records';
import { raceTimer } from '../support/deadline';
import { segmentObject, spanObject } from '../support/fixtures';

const lines: string[] = [];
beforeEach(() => {
  lines.length = 0;
  resetDiagnostics();
  setLogLevel('warn');
  setLogger({ error: (m) => lines.push(m), warn: (m) => lines.push(m), info: () => undefined, debug: () => undefined });
});
afterEach(() => setLogger(undefined));

/** A port on 127.0.0.1 where nothing listens. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The engine's queue of one kind (a look inside, for the memory layout). */
function queueOf(reporter: KafkaReporter, kind: 'segments' | 'logs'): ByteQueue {
  return (reporter as unknown as { core: Record<string, { queue: ByteQueue }> }).core[kind]!.queue;
}

const segment = (i: number): SegmentObject =>
  segmentObject({
    traceId: `trace-${i}`,
    traceSegmentId: `segment-${i}`,
    service: 'orders',
    serviceInstance: 'orders-1',
    spans: [spanObject({ startTime: 1, endTime: 2, operationName: `op-${i}` })],
  });

it('a broker that refuses connections: oldest dropped past maxBufferSize, flush and shutdown on time, explained once, all counted', async () => {
  const port = await closedPort();
  const reporter = new KafkaReporter(
    resolveConfig(
      {
        reporter: 'kafka',
        kafkaBootstrapServers: `127.0.0.1:${port}`,
        maxBufferSize: 3,
        heartbeatPeriod: 3600,
        reportTimeoutMs: 2000,
      },
      {},
    ),
  );
  for (let i = 0; i < 5; i++) reporter.report({ toSegmentObject: () => segment(i) });
  reporter.reportLog(Buffer.from([0x12, 0x03, 0x61, 0x62, 0x63]));
  expect(reporter.stats()).toMatchObject({
    queued: 3,
    sent: 0,
    dropped: 2,
    lost: 0,
    logs: { queued: 1, sent: 0, dropped: 0, lost: 0 },
  });

  const started = Date.now();
  // flush keeps its deadline: not before it, and ended by it (before a timer of about twice it)
  expect(await raceTimer(reporter.flush(700), 1500)).toBe('settled');
  expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  await reporter.flush(700);
  expect(reporter.stats()).toMatchObject({ queued: 3, sent: 0, dropped: 2, lost: 0 });
  // retried every 500 ms while flushing, each attempt a failed batch (segments and logs each); explained once
  expect(reporter.stats().failedBatches).toBeGreaterThanOrEqual(4);
  expect(reporter.stats().failedBatches).toBeLessThanOrEqual(10);
  expect(lines.filter((l) => l.includes(`cannot reach Kafka at 127.0.0.1:${port}`))).toHaveLength(1);

  expect(await raceTimer(reporter.shutdown(300), 1200)).toBe('settled');
  expect(reporter.stats()).toMatchObject({
    queued: 0,
    sent: 0,
    dropped: 5,
    lost: 0,
    logs: { queued: 0, sent: 0, dropped: 1, lost: 0 },
  });
  // after shutdown: counted, never thrown
  reporter.report({ toSegmentObject: () => segment(9) });
  reporter.reportLog(Buffer.from([0x12, 0x01, 0x61]));
  expect(reporter.stats()).toMatchObject({ dropped: 6, logs: { dropped: 2 } });
  await reporter.shutdown(300);
});

it('bad input is ignored or counted, never thrown', async () => {
  const reporter = new KafkaReporter(
    resolveConfig(
      { reporter: 'kafka', kafkaBootstrapServers: `127.0.0.1:${await closedPort()}`, heartbeatPeriod: 3600 },
      {},
    ),
  );
  try {
    reporter.report({
      toSegmentObject: () => {
        throw new Error('broken source');
      },
    });
    reporter.reportLog(undefined as unknown as Buffer);
    reporter.reportLog(Buffer.alloc(0));
    expect(reporter.stats()).toMatchObject({ queued: 0, lost: 1, logs: { queued: 0, dropped: 0 } });
    expect(lines.some((l) => l.includes('a segment could not be encoded and was dropped (broken source)'))).toBe(true);
  } finally {
    await reporter.shutdown(200);
  }
});

it('segments and encoded LogData wait in separate chunks: a waiting log record never pins sent segments', async () => {
  const reporter = new KafkaReporter(
    resolveConfig(
      { reporter: 'kafka', kafkaBootstrapServers: `127.0.0.1:${await closedPort()}`, heartbeatPeriod: 3600 },
      {},
    ),
  );
  try {
    const log = {
      timestamp: 1,
      service: 'orders',
      serviceInstance: 'orders-1',
      endpoint: '',
      body: { text: { text: 'hello' } },
      tags: [],
      layer: '',
    };
    reporter.report({ toSegmentObject: () => segment(1) });
    reporter.reportLog(log);
    reporter.report({ toSegmentObject: () => segment(2) });
    reporter.reportLog(log);
    const [s1, s2] = queueOf(reporter, 'segments').take(2);
    const [l1, l2] = queueOf(reporter, 'logs').take(2);
    // each kind shares its own chunk (views, no copy), and never the other kind's
    expect(s1!.buffer).toBe(s2!.buffer);
    expect(l1!.buffer).toBe(l2!.buffer);
    expect(s1!.buffer).not.toBe(l1!.buffer);
    expect(segmentKeyOf(s2!).toString()).toBe('segment-2');
    expect(logKeyOf(l1!).toString()).toBe('orders');
  } finally {
    await reporter.shutdown(200);
  }
});

it('a record that writes its own LogData (a pino line): queued as the same bytes as its LogData, keyed by its service', async () => {
  const port = await closedPort();
  const config = resolveConfig({
    reporter: 'kafka',
    kafkaBootstrapServers: `127.0.0.1:${port}`,
    heartbeatPeriod: 3600,
  });
  const reporter = new KafkaReporter(config);
  try {
    const line = new PinoLineLog(config, { service: 'orders', instance: 'orders-1' }, new PinoKeys());
    line.given = contextOfPacked('T1|S1|2|payments|payments-1|GET:/pay');
    const bytes = Buffer.from('{"level":30,"time":1700000000123,"orderId":7,"msg":"paid"}');
    expect(line.read(bytes, 0, bytes.length)).toBe(true);
    reporter.reportLogWriter(line);
    const [queued] = queueOf(reporter, 'logs').take(1);
    expect(queued!.equals(encodeLogData(line.logData(), new ProtoWriter(1024)))).toBe(true);
    expect(logKeyOf(queued!).toString()).toBe('payments');
  } finally {
    await reporter.shutdown(200);
  }
});
