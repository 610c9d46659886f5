/**
 * Every agent-facing service the official agents call is answered (never UNIMPLEMENTED): JVM and
 * CLR metrics, meters (stream and batch), events, profile tasks, browser performance — over real
 * gRPC with clients built from the same service definitions; what they sent is counted per instance
 * and the latest values kept, served at /api/agents; the token applies to them like to segments.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type Collector, startCollector } from '../../src/collector';
import { AGENT_PROTO_FILES } from '../../src/collector/agent-services';
import { LOADER_OPTIONS } from '../../src/protocol/loader';

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
const v3 = (
  grpc.loadPackageDefinition(protoLoader.loadSync([...AGENT_PROTO_FILES], LOADER_OPTIONS)) as unknown as {
    skywalking: { v3: Record<string, grpc.ServiceClientConstructor> };
  }
).skywalking.v3;

const collectors: Collector[] = [];
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(collectors.splice(0).map((c) => c.stop()));
});

function client(name: string, address: string): Client {
  const c = new v3[name]!(address, grpc.credentials.createInsecure()) as unknown as Client;
  clients.push(c);
  return c;
}

function unary(c: Client, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<unknown> {
  return new Promise((resolve, reject) =>
    c[method]!(request, metadata, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))),
  );
}

function stream(c: Client, method: string, messages: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = c[method]!((err: grpc.ServiceError | null, res: unknown) =>
      err ? reject(err) : resolve(res),
    ) as grpc.ClientWritableStream<unknown>;
    for (const m of messages) call.write(m);
    call.end();
  });
}

it('answers every agent service with empty Commands, counts per instance and keeps the latest values', async () => {
  const c = await startCollector({ grpcPort: 0, httpPort: 0 });
  collectors.push(c);
  const a = c.grpcAddress;
  const empty = { commands: [] };
  const jvm = {
    service: 'java-svc',
    serviceInstance: 'java-1',
    metrics: [
      {
        time: 1_700_000_000_000,
        cpu: { usagePercent: 12.5 },
        memory: [
          { isHeap: true, used: 100, max: 1000 },
          { isHeap: false, used: 7 },
        ],
        gc: [
          { phase: 0, count: 3 },
          { phase: 1, count: 1 },
        ],
        thread: { liveCount: 42 },
      },
      {
        time: 1_700_000_001_000,
        cpu: { usagePercent: 20 },
        memory: [{ isHeap: true, used: 200, max: 1000 }],
        gc: [{ phase: 0, count: 4 }],
        thread: { liveCount: 43 },
      },
    ],
  };
  expect(await unary(client('JVMMetricReportService', a), 'collect', jvm)).toEqual(empty);
  expect(
    await unary(client('CLRMetricReportService', a), 'collect', {
      service: 'dotnet-svc',
      serviceInstance: 'clr-1',
      metrics: [
        {
          time: 5,
          cpu: { usagePercent: 3 },
          gc: { Gen0CollectCount: 1, Gen1CollectCount: 2, Gen2CollectCount: 3, HeapMemory: 999 },
        },
      ],
    }),
  ).toEqual(empty);
  const meters = client('MeterReportService', a);
  expect(
    await stream(meters, 'collect', [
      {
        service: 'java-svc',
        serviceInstance: 'java-1',
        timestamp: 10,
        singleValue: { name: 'pool_active', labels: [{ name: 'pool', value: 'db' }], value: 3 },
      },
      {
        timestamp: 11,
        histogram: {
          name: 'latency',
          labels: [],
          values: [
            { bucket: 0, count: 2 },
            { bucket: 100, count: 5 },
          ],
        },
      },
      { timestamp: 12, singleValue: { name: 'pool_active', labels: [{ name: 'pool', value: 'db' }], value: 4 } },
    ]),
  ).toEqual(empty);
  expect(
    await stream(meters, 'collectBatch', [
      {
        meterData: [
          { service: 'py-svc', serviceInstance: 'py-1', timestamp: 20, singleValue: { name: 'requests', value: 9 } },
        ],
      },
    ]),
  ).toEqual(empty);
  expect(
    await stream(client('EventService', a), 'collect', [
      {
        uuid: 'e1',
        source: { service: 'java-svc', serviceInstance: 'java-1', endpoint: '' },
        name: 'Start',
        type: 0,
        message: 'started',
        startTime: 1,
        endTime: 2,
        parameters: { OPTS: '-Xmx1g' },
      },
    ]),
  ).toEqual(empty);
  const profile = client('ProfileTask', a);
  expect(
    await unary(profile, 'getProfileTaskCommands', {
      service: 'java-svc',
      serviceInstance: 'java-1',
      lastCommandTime: 0,
    }),
  ).toEqual(empty);
  expect(
    await unary(profile, 'reportTaskFinish', { service: 'java-svc', serviceInstance: 'java-1', taskId: 't' }),
  ).toEqual(empty);
  expect(
    await stream(profile, 'collectSnapshot', [{ taskId: 't', traceSegmentId: 's', time: 1, sequence: 0 }]),
  ).toEqual(empty);
  const browser = client('BrowserPerfService', a);
  expect(
    await unary(browser, 'collectPerfData', { service: 'web', serviceVersion: 'v1', pagePath: '/', loadPageTime: 300 }),
  ).toEqual(empty);
  expect(
    await stream(browser, 'collectErrorLogs', [
      { uniqueId: 'u', service: 'web', serviceVersion: 'v1', message: 'boom' },
    ]),
  ).toEqual(empty);

  const byInstance = Object.fromEntries(c.agents().map((i) => [`${i.service}/${i.instance}`, i]));
  expect(byInstance['java-svc/java-1']!.counts).toEqual({
    jvm: 2,
    meter: 3,
    event: 1,
    profileQuery: 1,
    profileFinish: 1,
  });
  expect(byInstance['java-svc/java-1']!.runtime).toEqual({
    time: 1_700_000_001_000,
    cpuPercent: 20,
    heapUsed: 200,
    heapMax: 1000,
    threads: 43,
    gcCount: 4,
  });
  expect(byInstance['java-svc/java-1']!.meters).toEqual([
    { name: 'pool_active', labels: { pool: 'db' }, value: 4, histogram: false, time: 12 },
    { name: 'latency', labels: {}, value: 7, histogram: true, time: 11 },
  ]);
  expect(byInstance['dotnet-svc/clr-1']!.runtime).toEqual({ time: 5, cpuPercent: 3, heapUsed: 999, gcCount: 6 });
  expect(byInstance['py-svc/py-1']!.meters).toEqual([
    { name: 'requests', labels: {}, value: 9, histogram: false, time: 20 },
  ]);
  expect(byInstance['web/v1']!.counts).toEqual({ browserPerf: 1, browserError: 1 });
  expect(c.agentEvents()).toEqual([
    {
      service: 'java-svc',
      instance: 'java-1',
      endpoint: '',
      name: 'Start',
      type: 'Normal',
      message: 'started',
      startTime: 1,
      endTime: 2,
    },
  ]);

  const res = await fetch(`${c.httpUrl}/api/agents`);
  const body = (await res.json()) as { instances: unknown[]; events: unknown[] };
  expect(res.status).toBe(200);
  expect(body.instances).toHaveLength(c.agents().length);
  expect(body.events).toHaveLength(1);
});

it('refuses agent services without the token, like segments', async () => {
  const c = await startCollector({ grpcPort: 0, httpPort: false, authentication: 'secret' });
  collectors.push(c);
  const jvm = client('JVMMetricReportService', c.grpcAddress);
  await expect(unary(jvm, 'collect', { service: 's', serviceInstance: 'i', metrics: [] })).rejects.toMatchObject({
    code: grpc.status.PERMISSION_DENIED,
  });
  const md = new grpc.Metadata();
  md.set('authentication', 'secret');
  expect(await unary(jvm, 'collect', { service: 's', serviceInstance: 'i', metrics: [] }, md)).toEqual({
    commands: [],
  });
  expect(c.agents().map((i) => [i.service, i.instance, i.counts])).toEqual([['s', 'i', { jvm: 0 }]]);
});
