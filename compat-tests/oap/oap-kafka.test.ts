/**
 * The Kafka path end to end: the OAP 10.1.0 with `kafka-fetcher` on (its config: the suite's own
 * plus the fetcher, compat-tests/kafka/oap-config.js) reads from a real Apache Kafka 4.4 broker;
 * the OTel example server-1 and the OpenTracing example server-2 report through Kafka only
 * (SW_BRIDGE_REPORTER=kafka, a namespace; the OAP's gRPC address is never given to them). The same
 * trace, services, topology and instance properties are asserted through GraphQL as on the gRPC path.
 */
import { resolve } from 'node:path';
import type { Service } from '../../test/support/spawn';
import { request, startService } from '../../test/support/spawn';
import { resolveConfig } from '../../src/base/config';
import { KafkaReporter } from '../../src/reporter/kafka';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startOap, duration } = require('./oap.js') as typeof import('./oap.js');
const { startBroker } = require('../kafka/broker.js') as {
  startBroker(o?: object): Promise<{ bootstrap: string; destroy(): Promise<void> }>;
};
const { kafkaOapConfigDir } = require('../kafka/oap-config.js') as { kafkaOapConfigDir(): string };
const { Producer } = require('@platformatic/kafka');
const loggingPb = require('skywalking-backend-js/lib/proto/logging/Logging_pb.js');
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = resolve(__dirname, '..', '..');
const NAMESPACE = 'swb';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const b64 = (name: string): string => Buffer.from(name).toString('base64');

interface GqlSpan {
  segmentId: string;
  spanId: number;
  parentSpanId: number;
  serviceCode: string;
  serviceInstanceName: string;
  endpointName: string;
  type: string;
  peer: string;
  refs: Array<{ parentSegmentId: string; parentSpanId: number; type: string }>;
}

describe('a real SkyWalking OAP 10.1.0 reading from Kafka (kafka-fetcher)', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let oap: Awaited<ReturnType<typeof startOap>>;
  const services: Record<string, Service> = {};
  let windowStart = 0;

  async function round(): Promise<void> {
    const res = await request(`http://127.0.0.1:${services['server-1']!.port}/trace`);
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    broker = await startBroker({ heap: '256m' });
    oap = await startOap({
      configDir: kafkaOapConfigDir(),
      env: { SW_KAFKA_FETCHER_SERVERS: broker.bootstrap, SW_NAMESPACE: NAMESPACE },
    });
    // the fetcher creates its topics when it starts
    const producer = new Producer({
      clientId: 'oap-kafka-test',
      bootstrapBrokers: [broker.bootstrap],
      autocreateTopics: false,
      retries: 0,
    });
    try {
      for (let deadline = Date.now() + 60_000; ;) {
        const ok = await producer
          .metadata({
            topics: ['segments', 'managements'].map((t) => `${NAMESPACE}-skywalking-${t}`),
            forceUpdate: true,
          })
          .then(
            () => true,
            () => false,
          );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`the OAP did not create its Kafka topics; OAP log: ${oap.logPath}`);
        await sleep(500);
      }
    } finally {
      await producer.close();
    }
    const env = {
      SW_BRIDGE_REPORTER: 'kafka',
      SW_KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
      SW_KAFKA_NAMESPACE: NAMESPACE,
      // nothing listens here: a segment that went over gRPC would be lost, not stored
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: '127.0.0.1:9',
      SW_BRIDGE_FLUSH_INTERVAL: '200',
      PORT: '0',
    };
    services['server-2'] = await startService(resolve(ROOT, 'examples/opentracing/server-2.js'), {
      ...env,
      SW_AGENT_NAME: 'server-2',
    });
    services['server-1'] = await startService(resolve(ROOT, 'examples/opentelemetry/server-1.js'), {
      ...env,
      SW_AGENT_NAME: 'server-1',
      SERVER2_URL: `http://127.0.0.1:${services['server-2'].port}`,
    });
    // warm-up as on the gRPC path: the OAP learns server-2's address from its first segments;
    // the assertions read only the minute after
    await round();
    await sleep(18_000);
    const now = Date.now();
    windowStart = Math.ceil((now + 1) / 60_000) * 60_000;
    await sleep(windowStart - now + 1_000);
    await round();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await oap?.stop();
    await broker?.destroy();
  }, 60_000);

  const window = (): ReturnType<typeof duration> => duration(windowStart, windowStart);

  async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      last = await fn().catch((err: Error) => err.message);
      if (last !== undefined && !(typeof last === 'string' && last.startsWith('GraphQL'))) return last as T;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}\nOAP log: ${oap.logPath}`);
      await sleep(2_000);
    }
  }

  it('lists both services', async () => {
    const list = await poll('services', async () => {
      const data = await oap.graphql('query($d: Duration!) { getAllServices(duration: $d) { name } }', {
        d: duration(windowStart - 600_000),
      });
      const names = (data.getAllServices as Array<{ name: string }>).map((s) => s.name).sort();
      return names.includes('server-1') && names.includes('server-2') ? names : undefined;
    });
    expect(list).toEqual(['server-1', 'server-2']);
  }, 120_000);

  it('topology: User -> server-1 -> server-2, seen from both sides', async () => {
    const edges = await poll('topology', async () => {
      const data = await oap.graphql(
        'query($d: Duration!) { getGlobalTopology(duration: $d) { nodes { id name } calls { source target detectPoints } } }',
        { d: window() },
      );
      const t = data.getGlobalTopology as {
        nodes: Array<{ id: string; name: string }>;
        calls: Array<{ source: string; target: string; detectPoints: string[] }>;
      };
      const name = new Map(t.nodes.map((n) => [n.id, n.name]));
      const e = Object.fromEntries(
        t.calls.map((c) => [`${name.get(c.source)} -> ${name.get(c.target)}`, [...c.detectPoints].sort()]),
      );
      return Object.keys(e).length === 2 && e['server-1 -> server-2']?.length === 2 ? e : undefined;
    });
    expect(edges).toEqual({ 'User -> server-1': ['SERVER'], 'server-1 -> server-2': ['CLIENT', 'SERVER'] });
  }, 120_000);

  it('the trace: found from server-1, its three segments linked by their refs', async () => {
    const traces = await poll('the server-1 trace', async () => {
      const data = await oap.graphql(
        'query($c: TraceQueryCondition) { queryBasicTraces(condition: $c) { traces { traceIds endpointNames } } }',
        {
          c: {
            serviceId: `${b64('server-1')}.1`,
            queryDuration: window(),
            traceState: 'ALL',
            queryOrder: 'BY_START_TIME',
            paging: { pageNum: 1, pageSize: 20 },
          },
        },
      );
      const t = data.queryBasicTraces.traces as Array<{ traceIds: string[]; endpointNames: string[] }>;
      return t.length ? t : undefined;
    });
    expect(traces).toHaveLength(1);
    expect(traces[0]!.endpointNames).toEqual(['GET:/trace']);
    const spans = await poll('all spans', async () => {
      const data = await oap.graphql(
        'query($id: ID!) { queryTrace(traceId: $id) { spans { segmentId spanId parentSpanId serviceCode serviceInstanceName endpointName type peer refs { parentSegmentId parentSpanId type } } } }',
        { id: traces[0]!.traceIds[0] },
      );
      const s = data.queryTrace.spans as GqlSpan[];
      return new Set(s.map((x) => x.segmentId)).size === 3 ? s : undefined;
    });
    const s1 = spans.filter((s) => s.serviceCode === 'server-1');
    const s2Entries = spans.filter((s) => s.serviceCode === 'server-2' && s.type === 'Entry');
    expect(new Set(s1.map((s) => s.segmentId)).size).toBe(1);
    const exits = s1.filter((s) => s.type === 'Exit');
    expect(exits.map((e) => e.peer)).toEqual([
      `127.0.0.1:${services['server-2']!.port}`,
      `127.0.0.1:${services['server-2']!.port}`,
    ]);
    expect(s2Entries).toHaveLength(2);
    expect(s2Entries.map((e) => e.refs).sort((a, b) => a[0]!.parentSpanId - b[0]!.parentSpanId)).toEqual(
      exits
        .map((e) => [{ parentSegmentId: e.segmentId, parentSpanId: e.spanId, type: 'CROSS_PROCESS' }])
        .sort((a, b) => a[0]!.parentSpanId - b[0]!.parentSpanId),
    );
  }, 120_000);

  it('instance properties from the Kafka heartbeat are visible', async () => {
    const instances = await poll('server-2 instance properties', async () => {
      const data = await oap.graphql(
        'query($d: Duration!, $id: ID!) { listInstances(duration: $d, serviceId: $id) { name language attributes { name value } } }',
        {
          d: duration(windowStart - 600_000, Date.now() + 60_000),
          id: `${b64('server-2')}.1`,
        },
      );
      const list = data.listInstances as Array<{
        name: string;
        language: string;
        attributes: Array<{ name: string; value: string }>;
      }>;
      return list.length && list[0]!.attributes.length ? list : undefined;
    });
    expect(instances).toHaveLength(1);
    const attrs = Object.fromEntries(instances[0]!.attributes.map((a) => [a.name, a.value]));
    expect(instances[0]!.language).toBe('NODEJS');
    expect(attrs).toMatchObject({
      'Process No.': String(services['server-2']!.child.pid),
      'OS Name': process.platform,
      agent: 'skywalking-bridge 0.1.0',
    });
  }, 120_000);

  it('a log sent through Kafka (skywalking-logs, LogData) is stored and found by its trace', async () => {
    const traceId = await poll('a server-1 trace id', async () => {
      const data = await oap.graphql(
        'query($c: TraceQueryCondition) { queryBasicTraces(condition: $c) { traces { traceIds } } }',
        {
          c: {
            serviceId: `${b64('server-1')}.1`,
            queryDuration: window(),
            traceState: 'ALL',
            queryOrder: 'BY_START_TIME',
            paging: { pageNum: 1, pageSize: 20 },
          },
        },
      );
      return (data.queryBasicTraces.traces as Array<{ traceIds: string[] }>)[0]?.traceIds[0];
    });
    const reporter = new KafkaReporter(
      resolveConfig(
        {
          serviceName: 'server-2',
          serviceInstance: 'logs-1',
          reporter: 'kafka',
          kafkaBootstrapServers: broker.bootstrap,
          kafkaNamespace: NAMESPACE,
          heartbeatPeriod: 3600,
        },
        {},
      ),
    );
    try {
      const ld = new loggingPb.LogData();
      ld.setTimestamp(Date.now());
      ld.setService('server-2');
      ld.setServiceinstance('logs-1');
      ld.setEndpoint('/user/info');
      const body = new loggingPb.LogDataBody();
      const text = new loggingPb.TextLog();
      text.setText('user 42 looked up through kafka');
      body.setText(text);
      ld.setBody(body);
      const tc = new loggingPb.TraceContext();
      tc.setTraceid(traceId);
      ld.setTracecontext(tc);
      reporter.reportLog(Buffer.from(ld.serializeBinary()));
      await reporter.flush(15_000);
      expect(reporter.logStats()).toEqual({ queued: 0, sent: 1, dropped: 0, lost: 0 });
    } finally {
      await reporter.shutdown(2000);
    }
    // besides ours, the trace's own logs: server-1's through pino (our transport, in pino's worker)
    // and server-2's through winston, all on the Kafka reporter
    type GqlLog = {
      serviceName: string;
      serviceInstanceName: string;
      endpointName: string;
      traceId: string;
      contentType: string;
      content: string;
    };
    const logs = await poll('the logs', async () => {
      const data = await oap.graphql(
        'query($c: LogQueryCondition) { queryLogs(condition: $c) { logs { serviceName serviceInstanceName endpointName traceId contentType content } } }',
        {
          c: { relatedTrace: { traceId }, paging: { pageNum: 1, pageSize: 10 } },
        },
      );
      const l = data.queryLogs.logs as GqlLog[];
      return l.length >= 4 ? l : undefined;
    });
    expect(logs.filter((l) => l.serviceInstanceName === 'logs-1')).toEqual([
      {
        serviceName: 'server-2',
        serviceInstanceName: 'logs-1',
        endpointName: '/user/info',
        traceId,
        contentType: 'TEXT',
        content: 'user 42 looked up through kafka',
      },
    ]);
    expect(
      logs
        .filter((l) => l.serviceInstanceName !== 'logs-1')
        .map((l) => [l.serviceName, l.endpointName, l.traceId === traceId, l.contentType, l.content])
        .sort(),
    ).toEqual([
      ['server-1', 'GET:/trace', true, 'JSON', '{"msg":"fetched the users","users":2}'],
      ['server-2', 'POST:/user/info', true, 'JSON', '{"message":"user 1 is Ada","user":"1"}'],
      ['server-2', 'POST:/user/info', true, 'JSON', '{"message":"user 2 is Ada","user":"2"}'],
    ]);
  }, 120_000);
});
