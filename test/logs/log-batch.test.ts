/**
 * The log sender's batch over HTTP/2: a batch of records goes to `LogReportService/collect` as ONE
 * request whose body is the records as length-prefixed messages (a client stream's body), read by a
 * real grpc-js server as a stream of messages; the token rides along as `authentication`; each
 * LogData decoded with skywalking-backend-js's classes, in order. Records bigger than the encoder's
 * chunk (the body is then several pieces of memory), and through a proxy (grpc-js's client stream,
 * one message per record).
 */
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { startConnectProxy } from '../support/connect-proxy';
import { type RawCollector, startRawCollector } from './support';

let collector: RawCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

const expectedLog = (i: number, content: string) => ({
  timestamp: 1_700_000_000_000 + i,
  service: 'batch',
  serviceInstance: 'batch-1',
  endpoint: '',
  bodyCase: 'text',
  content,
  traceContext: undefined,
  tags: { level: 'warn' },
  tagKeys: ['level'],
  layer: '',
});

/** A tracer of service `batch` reporting to the raw collector, sending only on flush. */
const batchTracer = (options: ConstructorParameters<typeof SkyWalkingTracer>[0] = {}): SkyWalkingTracer =>
  new SkyWalkingTracer({
    serviceName: 'batch',
    serviceInstance: 'batch-1',
    collectorAddress: collector!.address,
    flushIntervalMs: 60_000,
    ...options,
  });

it('250 records in one collect call (one HTTP/2 request body), with the token, in order, every field exact', async () => {
  collector = await startRawCollector();
  const tracer = batchTracer({ authentication: 'tok-19', batchSize: 500 });
  try {
    for (let i = 0; i < 250; i++)
      tracer.reportLog({ body: `record ${i}`, level: 'warn', timestamp: 1_700_000_000_000 + i });
    await tracer.flush();
    const logs = await collector.waitForLogs(250);
    expect(collector.logCalls).toEqual([{ records: 250, authentication: 'tok-19' }]);
    expect(logs).toEqual(Array.from({ length: 250 }, (_, i) => expectedLog(i, `record ${i}`)));
    expect(tracer.stats().logs).toEqual({ queued: 0, sent: 250, dropped: 0, lost: 0, filtered: 0 });
  } finally {
    await tracer.shutdown();
  }
});

it("records that fill the encoder's chunks several times over go in one request, each exact", async () => {
  collector = await startRawCollector();
  const tracer = batchTracer({ logBodyMaxLength: 100_000 });
  // 30,000 characters each, so a 64 KiB chunk holds two and a record may open a new one halfway
  const body = (i: number): string => `${i} `.padEnd(30_000, String.fromCharCode(97 + (i % 26)));
  try {
    for (let i = 0; i < 9; i++) tracer.reportLog({ body: body(i), level: 'warn', timestamp: 1_700_000_000_000 + i });
    await tracer.flush();
    const logs = await collector.waitForLogs(9);
    expect(collector.logCalls).toEqual([{ records: 9, authentication: undefined }]);
    expect(logs).toEqual(Array.from({ length: 9 }, (_, i) => expectedLog(i, body(i))));
  } finally {
    await tracer.shutdown();
  }
});

it('through the proxy grpc-js is given (grpc_proxy), the records go over its collect stream, each exact', async () => {
  collector = await startRawCollector();
  const proxy = await startConnectProxy();
  const before = process.env.grpc_proxy;
  process.env.grpc_proxy = proxy.url;
  const tracer = batchTracer();
  try {
    for (let i = 0; i < 20; i++)
      tracer.reportLog({ body: `record ${i}`, level: 'warn', timestamp: 1_700_000_000_000 + i });
    await tracer.flush();
    const logs = await collector.waitForLogs(20);
    expect(logs).toEqual(Array.from({ length: 20 }, (_, i) => expectedLog(i, `record ${i}`)));
    expect(collector.logCalls).toEqual([{ records: 20, authentication: undefined }]);
    expect(proxy.tunnels).toEqual([collector.address]);
    expect(tracer.stats().logs).toEqual({ queued: 0, sent: 20, dropped: 0, lost: 0, filtered: 0 });
  } finally {
    await tracer.shutdown();
    if (before === undefined) delete process.env.grpc_proxy;
    else process.env.grpc_proxy = before;
    proxy.close();
  }
});
