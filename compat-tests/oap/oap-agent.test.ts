/**
 * Operated like an official agent, against a real SkyWalking OAP 10.1.0:
 * - live configuration: the OAP reads its dynamic configuration from a configuration server this
 *   test runs (the OAP's `grpc` configuration selector); `configuration-discovery.default.agentConfigurations`
 *   set there reaches our OpenTracing tracer and our OpenTelemetry span processor through the
 *   OAP's ConfigurationDiscoveryService: `agent.sample_n_per_3_secs: 1` turns a steady 50 traces/s
 *   down to at most one per 3 s window in `queryBasicTraces`, `agent.trace.ignore_path` drops the
 *   health checks, and removing them turns everything back on, without a restart;
 * - alarms: a rule on `endpoint_resp_time` in the OAP's alarm settings and a webhook this test
 *   listens on fire for a slow endpoint of each service, with the names we reported.
 * Run with `npm run test:oap`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpcTypes from '@grpc/grpc-js';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import type { Bridge } from '../../src/bridge/bridge';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startOap, duration } = require('./oap.js') as typeof import('./oap.js');
const grpc = require('@grpc/grpc-js') as typeof grpcTypes;
const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
/* eslint-enable @typescript-eslint/no-require-imports */

const OT = 'agent-ot';
const OTEL = 'agent-otel';
const AGENT_CONFIG_KEY = 'configuration-discovery.default.agentConfigurations';
const FETCH_INTERVAL_S = 2;
const b64 = (name: string): string => Buffer.from(name).toString('base64');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait for `check` to hold (polled); fails with `what` after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The configuration server the OAP polls (its `grpc` configuration selector): one key, set by the test. */
async function startConfigServer() {
  const def = protoLoader.loadSync(join(__dirname, 'configuration-service.proto'), { keepCase: true, defaults: true });
  const service = (grpc.loadPackageDefinition(def) as unknown as Record<string, grpcTypes.ServiceClientConstructor>)
    .ConfigurationService!.service;
  let value: string | undefined;
  let version = 1;
  /** UUIDs the OAP sent back: it has applied the answer with that UUID. */
  const acknowledged = new Set<string>();
  const server = new grpc.Server();
  server.addService(service, {
    call(call: grpcTypes.ServerUnaryCall<{ uuid: string }, unknown>, cb: grpcTypes.sendUnaryData<unknown>) {
      if (call.request.uuid) acknowledged.add(call.request.uuid);
      const uuid = `v${version}`;
      if (call.request.uuid === uuid) return cb(null, { uuid, configTable: [] });
      // a removed key is sent empty: the OAP 10.1.0 notifies only the keys it is sent (an empty
      // value is its way to clear one, as configuration-service.proto says)
      cb(null, { uuid, configTable: [{ name: AGENT_CONFIG_KEY, value: value ?? '' }] });
    },
    callGroup(_call: unknown, cb: grpcTypes.sendUnaryData<unknown>) {
      cb(null, { uuid: 'groups-1', groupConfigTable: [] });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    port,
    /** Set (or, undefined, remove) the agent configurations; resolves when the OAP has read them. */
    async set(yaml: string | undefined): Promise<void> {
      value = yaml;
      version++;
      const uuid = `v${version}`;
      await until(`the OAP to read configuration ${uuid}`, () => acknowledged.has(uuid));
    },
    stop: () => new Promise<void>((r) => server.tryShutdown(() => r())),
  };
}

/** An HTTP server the OAP's webhook posts alarms to. */
async function startWebhook(): Promise<{ port: number; alarms: Array<Record<string, unknown>>; server: Server }> {
  const alarms: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (Array.isArray(parsed)) alarms.push(...(parsed as Array<Record<string, unknown>>));
      } catch {
        // not an alarm
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, alarms, server };
}

/** The test's OAP configuration: ours, with the grpc configuration selector, configuration discovery and alarms. */
function configDir(webhookPort: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'swb-oap-agent-config-'));
  cpSync(join(__dirname, 'config'), dir, { recursive: true });
  const file = join(dir, 'application.yml');
  let yml = readFileSync(file, 'utf8');
  const swap = (from: RegExp, to: string): void => {
    if (!from.test(yml)) throw new Error(`config/application.yml has no ${from}`);
    yml = yml.replace(from, to);
  };
  swap(/^alarm:\n {2}selector: "-"\n/m, 'alarm:\n  selector: default\n  default:\n');
  swap(
    /^configuration:\n {2}selector: none\n {2}none:\n/m,
    [
      'configuration:',
      '  selector: grpc',
      '  grpc:',
      '    host: ${SW_DCS_SERVER_HOST:127.0.0.1}',
      '    port: ${SW_DCS_SERVER_PORT:80}',
      '    clusterName: SkyWalking',
      '    period: ${SW_DCS_PERIOD:1}',
      '    maxInboundMessageSize: 4194304',
      '',
    ].join('\n'),
  );
  yml += '\nconfiguration-discovery:\n  selector: default\n  default:\n    disableMessageDigest: false\n';
  writeFileSync(file, yml);
  writeFileSync(
    join(dir, 'alarm-settings.yml'),
    [
      'rules:',
      '  endpoint_slow_rule:',
      '    expression: sum(endpoint_resp_time > 200) >= 1',
      '    period: 1',
      '    silence-period: 5',
      '    message: Response time of endpoint {name} is more than 200ms',
      'hooks:',
      '  webhook:',
      '    default:',
      '      is-default: true',
      '      urls:',
      `        - http://127.0.0.1:${webhookPort}/alarm`,
      '',
    ].join('\n'),
  );
  return dir;
}

describe('a real OAP 10.1.0 operating our services like agents', () => {
  let oap: Awaited<ReturnType<typeof startOap>>;
  let configServer: Awaited<ReturnType<typeof startConfigServer>>;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let dir: string;
  let ot: SkyWalkingTracer;
  let otel: { processor: SkyWalkingSpanProcessor; provider: BasicTracerProvider };
  const contextManager = new AsyncLocalStorageContextManager();
  const startedAt = Date.now();

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    [configServer, webhook] = await Promise.all([startConfigServer(), startWebhook()]);
    dir = configDir(webhook.port);
    oap = await startOap({
      configDir: dir,
      env: { SW_DCS_SERVER_HOST: '127.0.0.1', SW_DCS_SERVER_PORT: String(configServer.port), SW_DCS_PERIOD: '1' },
    });
    const common = {
      collectorAddress: oap.grpcAddress,
      dynamicConfigInterval: FETCH_INTERVAL_S,
      flushIntervalMs: 200,
    };
    ot = new SkyWalkingTracer({ ...common, serviceName: OT, serviceInstance: `${OT}-1` });
    const processor = new SkyWalkingSpanProcessor({ ...common, serviceName: OTEL, serviceInstance: `${OTEL}-1` });
    const provider = new BasicTracerProvider({
      sampler: new AlwaysOnSampler(),
      resource: resourceFromAttributes({ 'service.name': OTEL }),
      spanProcessors: [processor],
    });
    otel = { processor, provider };
  }, 300_000);

  afterAll(async () => {
    await ot?.shutdown();
    await otel?.processor.shutdown();
    await oap?.stop();
    await configServer?.stop();
    await new Promise((r) => webhook?.server.close(r));
    context.disable();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** One trace on each front-end: an Entry span for `path` taking `ms`. */
  function traceOnce(path: string, ms = 0): void {
    const now = Date.now();
    const span = ot.startSpan(path, { startTime: now - ms, tags: { 'span.kind': 'server' } });
    span.finish(now);
    const s = otel.provider.getTracer('@opentelemetry/instrumentation-http').startSpan(
      'GET',
      {
        kind: SpanKind.SERVER,
        startTime: now - ms,
        attributes: { 'http.request.method': 'GET', 'http.route': path, 'url.path': path },
      },
      trace.deleteSpan(context.active()),
    );
    s.end(now);
  }

  /** Traces of `service` the OAP has with `endpoint` as their endpoint name. */
  async function tracesOf(service: string, endpoint: string): Promise<number> {
    const data = await oap.graphql(
      `query($c: TraceQueryCondition) { queryBasicTraces(condition: $c) { traces { endpointNames } } }`,
      {
        c: {
          serviceId: `${b64(service)}.1`,
          queryDuration: duration(startedAt - 60_000, Date.now() + 60_000),
          traceState: 'ALL',
          queryOrder: 'BY_START_TIME',
          paging: { pageNum: 1, pageSize: 2000 },
        },
      },
    );
    const traces = data.queryBasicTraces.traces as Array<{ endpointNames: string[] }>;
    return traces.filter((t) => t.endpointNames[0] === endpoint).length;
  }

  const bridges = (): Bridge[] => [ot.bridge, otel.processor.bridge];
  const settingsOf = (b: Bridge) => b.recorder.control.current();
  const fetches = (b: Bridge): number => b.discovery!.client.counters.requests;

  it('agent.sample_n_per_3_secs and agent.trace.ignore_path from the OAP, live, then removed', async () => {
    let phase = 'a';
    const sent: Record<string, number> = {};
    const load = setInterval(() => {
      // 50 traces/s on each front-end, and every fifth tick a health check
      const tick = (sent[phase] = (sent[phase] ?? 0) + 1);
      traceOnce(`/load/${phase}`);
      if (tick % 5 === 0) traceOnce(`/health/${phase}`);
    }, 20);
    try {
      await sleep(2_000);
      phase = 'x';
      const yaml = (svc: string): string =>
        `  ${svc}:\n    agent.sample_n_per_3_secs: 1\n    agent.trace.ignore_path: /health/**\n`;
      await configServer.set(`configurations:\n${yaml(OT)}${yaml(OTEL)}`);
      const before = bridges().map(fetches);
      await until('the agents to apply the configuration', () =>
        bridges().every((b) => settingsOf(b).sampleNPer3Secs === 1),
      );
      // a few fetches after the OAP has it (counted, not timed): two on a quiet machine; an OAP
      // short of threads refuses or answers late, so the bound leaves room for that
      const took = bridges().map((b, i) => fetches(b) - before[i]!);
      process.stderr.write(`[oap-agent] applied after ${took.join(' and ')} requests (OT, OTel)\n`);
      took.forEach((n) => expect(n).toBeLessThanOrEqual(5));
      expect(settingsOf(ot.bridge).traceIgnorePath).toEqual(['/health/**']);

      const sampledBefore = bridges().map((b) => b.recorder.control.counters.sampled);
      const bStart = Date.now();
      phase = 'b';
      await sleep(9_000);
      phase = 'y';
      const bMs = Date.now() - bStart;
      const sampledInB = bridges().map((b, i) => b.recorder.control.counters.sampled - sampledBefore[i]!);

      await configServer.set(undefined);
      const before2 = bridges().map(fetches);
      await until('the agents to go back to their local values', () =>
        bridges().every((b) => settingsOf(b).sampleNPer3Secs === -1 && settingsOf(b).traceIgnorePath.length === 0),
      );
      const took2 = bridges().map((b, i) => fetches(b) - before2[i]!);
      process.stderr.write(`[oap-agent] removal applied after ${took2.join(' and ')} requests (OT, OTel)\n`);
      took2.forEach((n) => expect(n).toBeLessThanOrEqual(5));
      phase = 'c';
      await sleep(3_000);
      phase = 'z';
      clearInterval(load);
      await Promise.all([ot.flush(), otel.processor.forceFlush()]);

      const sentC = sent.c!;
      // everything of phase c arrives: wait for the OAP to have it all
      await until('the OAP to have every trace of phase c', async () => {
        const counts = await Promise.all([
          tracesOf(OT, '/load/c'),
          tracesOf(OTEL, 'GET:/load/c'),
          tracesOf(OT, '/health/c'),
          tracesOf(OTEL, 'GET:/health/c'),
        ]);
        return counts.join() === [sentC, sentC, Math.floor(sentC / 5), Math.floor(sentC / 5)].join();
      });
      // phase b: what was sent is many times what was kept: at most one per 3 s window
      const windows = Math.floor(bMs / 3000) + 2;
      expect(sent.b!).toBeGreaterThan(100);
      const keptOt = await tracesOf(OT, '/load/b');
      const keptOtel = await tracesOf(OTEL, 'GET:/load/b');
      process.stderr.write(
        `[oap-agent] phase b: ${sent.b} traces per front-end in ${bMs} ms, kept ${keptOt} (OT) and ${keptOtel} (OTel), at most ${windows}; phase c: ${sentC} sent, all kept\n`,
      );
      expect([keptOt, keptOtel]).toEqual(sampledInB);
      expect(keptOt).toBeGreaterThanOrEqual(1);
      expect(keptOt).toBeLessThanOrEqual(windows);
      expect(keptOtel).toBeGreaterThanOrEqual(1);
      expect(keptOtel).toBeLessThanOrEqual(windows);
      expect(await tracesOf(OT, '/health/b')).toBe(0);
      expect(await tracesOf(OTEL, 'GET:/health/b')).toBe(0);
      // phase a (before any configuration): all kept
      expect(await tracesOf(OT, '/load/a')).toBe(sent.a);
      for (const b of bridges()) {
        // a fetch may time out on a loaded machine (counted, retried next period): the keys and values
        // the OAP sent were all known and valid, and fetches succeeded (`fetches` counts the answers)
        const cds = b.stats().configDiscovery!;
        expect(cds).toMatchObject({ unknownKeys: 0, invalidValues: 0 });
        expect(cds.fetches).toBeGreaterThanOrEqual(2);
        expect(b.stats().sampling.ignoredPath).toBeGreaterThan(0);
      }
    } finally {
      clearInterval(load);
    }
  }, 300_000);

  it("the OAP's alarm rule on endpoint_resp_time fires to a webhook for a slow endpoint of each service", async () => {
    const slow = setInterval(() => traceOnce('/slow', 400), 500);
    try {
      await until(
        'alarms for both services',
        () => {
          const names = new Set(webhook.alarms.map((a) => a.name));
          return names.has(`/slow in ${OT}`) && names.has(`GET:/slow in ${OTEL}`);
        },
        240_000,
      );
    } finally {
      clearInterval(slow);
    }
    const mine = webhook.alarms.find((a) => a.name === `/slow in ${OT}`)!;
    expect(mine).toMatchObject({
      scope: 'ENDPOINT',
      ruleName: 'endpoint_slow_rule',
      alarmMessage: `Response time of endpoint /slow in ${OT} is more than 200ms`,
    });
  }, 300_000);
});
