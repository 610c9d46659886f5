/**
 * One table of delivery semantics, run for every transport (gRPC segments, gRPC logs, Kafka
 * segments, Kafka logs) against the same fault servers (fault-servers.ts): a refused port, a
 * silent port, and a slow server whose answers the test releases. Every record reported ends in
 * exactly one of queued / sent / dropped / lost; flush() and shutdown() resolve whatever the
 * server does; nothing is sent twice. Each wait is for an event (a record taken, a promise), never
 * a time bound. (Kafka against a slow broker: compat-tests/kafka/slow-broker.test.ts, a real broker
 * behind a proxy that holds its Produce answers; `npm run test:kafka`.)
 */
import { resolveConfig } from '../../src/base/config';
import { resetDiagnostics, setLogger } from '../../src/base/diag';
import type { SegmentObject } from '../../src/base/model';
import { segmentObject, spanObject } from '../support/fixtures';
import type { LogData } from '../../src/protocol/log-encoder';
import { GrpcReporter } from '../../src/reporter/grpc';
import { KafkaReporter } from '../../src/reporter/kafka';
import type { Reporter } from '../../src/reporter/types';
import { type FaultServer, refusedServer, silentServer, slowServer } from './fault-servers';

interface Counts {
  queued: number;
  sent: number;
  dropped: number;
  lost: number;
}

interface TransportCase {
  name: string;
  make(address: string): Reporter;
  report(reporter: Reporter, i: number): void;
  counts(reporter: Reporter): Counts;
  /** A slow server can be run for it here (a gRPC one; Kafka's needs a real broker: compat-tests/kafka/slow-broker.test.ts). */
  slow: boolean;
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

const OPTIONS = { serviceName: 'svc', serviceInstance: 'svc-1', flushIntervalMs: 50, heartbeatPeriod: 3600 };
const grpc = (address: string): Reporter =>
  new GrpcReporter(resolveConfig({ ...OPTIONS, collectorAddress: address, reportTimeoutMs: 10_000 }, {}));
const kafka = (address: string): Reporter =>
  new KafkaReporter(
    resolveConfig({ ...OPTIONS, reporter: 'kafka', kafkaBootstrapServers: address, reportTimeoutMs: 10_000 }, {}),
  );
const segments = (r: Reporter): Counts => {
  const { queued, sent, dropped, lost } = r.stats();
  return { queued, sent, dropped, lost };
};
const logs = (r: Reporter): Counts => {
  const { queued, sent, dropped, lost } = r.stats().logs!;
  return { queued, sent, dropped, lost };
};

const TRANSPORTS: TransportCase[] = [
  {
    name: 'gRPC segments',
    make: grpc,
    report: (r, i) => r.report({ toSegmentObject: () => segment(i) }),
    counts: segments,
    slow: true,
  },
  { name: 'gRPC logs', make: grpc, report: (r, i) => r.reportLog!(logData(i)), counts: logs, slow: true },
  {
    name: 'Kafka segments',
    make: kafka,
    report: (r, i) => r.report({ toSegmentObject: () => segment(i) }),
    counts: segments,
    slow: false,
  },
  { name: 'Kafka logs', make: kafka, report: (r, i) => r.reportLog!(logData(i)), counts: logs, slow: false },
];

const FAULTS: { name: string; start(): Promise<FaultServer> }[] = [
  { name: 'a refused port', start: refusedServer },
  { name: 'a silent port', start: silentServer },
];

let server: FaultServer | undefined;
let reporter: Reporter | undefined;
beforeEach(() => {
  resetDiagnostics();
  setLogger({ error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined });
});
afterEach(async () => {
  setLogger(undefined);
  await reporter?.shutdown(100);
  await server?.stop();
  reporter = server = undefined;
});

describe.each(TRANSPORTS)('$name', (t) => {
  it.each(FAULTS)('$name: records wait, flush and shutdown resolve, every record counted once', async (fault) => {
    server = await fault.start();
    const r = (reporter = t.make(server.address));
    for (let i = 0; i < 3; i++) t.report(r, i);
    await r.flush(300);
    expect(t.counts(r)).toEqual({ queued: 3, sent: 0, dropped: 0, lost: 0 });
    await r.shutdown(300);
    // never taken by the server: dropped at shutdown, none lost
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 3, lost: 0 });
    t.report(r, 3);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 4, lost: 0 });
    await r.shutdown(300); // idempotent
  });
});

describe.each(TRANSPORTS.filter((t) => t.slow))('$name, a slow server', (t) => {
  it('a batch answered late is sent once', async () => {
    const slow = await slowServer();
    server = slow;
    const r = (reporter = t.make(slow.address));
    for (let i = 0; i < 3; i++) t.report(r, i);
    await slow.waitForRecords(3);
    // on the wire, not answered: neither queued nor sent yet
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 0, lost: 0 });
    const flushed = r.flush(60_000);
    slow.release();
    await flushed;
    expect(t.counts(r)).toEqual({ queued: 0, sent: 3, dropped: 0, lost: 0 });
    expect(slow.received()).toBe(3);
  });
  it('shutdown while a batch waits for its answer: that batch is lost, the queue dropped, a late answer changes nothing', async () => {
    const slow = await slowServer();
    server = slow;
    const r = (reporter = t.make(slow.address));
    for (let i = 0; i < 2; i++) t.report(r, i);
    await slow.waitForRecords(2);
    t.report(r, 2);
    await r.shutdown(200);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 1, lost: 2 });
    slow.release();
    await r.flush(50);
    expect(t.counts(r)).toEqual({ queued: 0, sent: 0, dropped: 1, lost: 2 });
  });
});
