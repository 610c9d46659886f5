/**
 * The log sender's batch over HTTP/2: a batch of records goes to `LogReportService/collect` as ONE
 * request whose body is the records as length-prefixed messages (a client stream's body), read by a
 * real grpc-js server as a stream of messages; the token rides along as `authentication`; each
 * LogData decoded with skywalking-backend-js's classes, in order.
 */
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { type RawCollector, startRawCollector } from './support';

let collector: RawCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

it('250 records in one collect call (one HTTP/2 request body), with the token, in order, every field exact', async () => {
  collector = await startRawCollector();
  const tracer = new SkyWalkingTracer({
    serviceName: 'batch',
    serviceInstance: 'batch-1',
    collectorAddress: collector.address,
    authentication: 'tok-19',
    flushIntervalMs: 60_000,
    batchSize: 500,
  });
  try {
    for (let i = 0; i < 250; i++)
      tracer.reportLog({ body: `record ${i}`, level: 'warn', timestamp: 1_700_000_000_000 + i });
    await tracer.flush();
    const logs = await collector.waitForLogs(250);
    expect(collector.logCalls).toEqual([{ records: 250, authentication: 'tok-19' }]);
    expect(logs).toEqual(
      Array.from({ length: 250 }, (_, i) => ({
        timestamp: 1_700_000_000_000 + i,
        service: 'batch',
        serviceInstance: 'batch-1',
        endpoint: '',
        bodyCase: 'text',
        content: `record ${i}`,
        traceContext: undefined,
        tags: { level: 'warn' },
        tagKeys: ['level'],
        layer: '',
      })),
    );
    expect(tracer.stats().logs).toEqual({ queued: 0, sent: 250, dropped: 0, lost: 0, filtered: 0 });
  } finally {
    await tracer.shutdown();
  }
});
