/**
 * Configuration Discovery end to end over real gRPC: the tracer's client against the embedded
 * collector's ConfigurationDiscoveryService. Settings applied live, the UUID sent back (unchanged
 * → nothing applied), a key removed → the local value back, unknown keys counted, each change
 * logged once; the collector's YAML reader and its file re-read.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { type Collector, startCollector } from '../../src/collector';
import { AgentConfigSource, configurationUuid, parseAgentConfigurations } from '../../src/collector/config-discovery';
import { ConfigError } from '../../src/base/config';
import { type Logger, resetDiagnostics, setLogger } from '../../src/base/diag';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { readDiscoveryCommand } from '../../src/reporter/config-discovery';

const lines: string[] = [];
const capture: Logger = {
  error: (m) => lines.push(`error ${m}`),
  warn: (m) => lines.push(`warn ${m}`),
  info: () => undefined,
  debug: () => undefined,
};

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector.stop();
});
beforeEach(() => {
  resetDiagnostics();
  lines.length = 0;
  setLogger(capture);
});
afterEach(() => {
  setLogger(undefined);
});

const ORDERS = `
# as in the OAP's dynamic configuration
configurations:
  orders:
    agent.sample_n_per_3_secs: 1
    agent.trace.ignore_path: "/health/**,/metrics"
    agent.span_limit_per_segment: 5
    plugin.jdbc.trace_sql_parameters: true
  payments:
    agent.ignore_suffix: '.txt'
`;

describe('the OAP agentConfigurations YAML', () => {
  it('reads services and their keys, quotes and comments', () => {
    const c = parseAgentConfigurations(ORDERS);
    expect([...c.keys()]).toEqual(['orders', 'payments']);
    expect([...c.get('orders')!]).toEqual([
      ['agent.sample_n_per_3_secs', '1'],
      ['agent.trace.ignore_path', '/health/**,/metrics'],
      ['agent.span_limit_per_segment', '5'],
      ['plugin.jdbc.trace_sql_parameters', 'true'],
    ]);
    expect([...c.get('payments')!]).toEqual([['agent.ignore_suffix', '.txt']]);
    expect(parseAgentConfigurations('configurations:\n').size).toBe(0);
  });

  it('names the line of what it cannot read', () => {
    expect(() => parseAgentConfigurations('orders:\n  a: 1\n')).toThrow(
      new ConfigError('skywalking-bridge: agent configuration line 1: the file starts with `configurations:`'),
    );
    expect(() => parseAgentConfigurations('configurations:\n  orders:\n    - a\n')).toThrow(
      'skywalking-bridge: agent configuration line 3: expected `key: value`, got "    - a"',
    );
    expect(() => parseAgentConfigurations('configurations:\n  orders:\n    a: 1\n   b: 2\n')).toThrow(
      'skywalking-bridge: agent configuration line 4: unexpected indentation',
    );
  });

  it("the OAP's UUID: SHA-512 of key:value in order, of EMPTY for a service without configuration", () => {
    const sha = (t: string): string => createHash('sha512').update(t).digest('hex');
    expect(configurationUuid(new Map([['agent.sample_n_per_3_secs', '1']]))).toBe(sha('agent.sample_n_per_3_secs:1'));
    expect(configurationUuid(undefined)).toBe(sha('EMPTY'));
  });

  it('a file is re-read when it changes; a bad rewrite keeps the last good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-agent-config-'));
    try {
      const file = join(dir, 'agent.yml');
      writeFileSync(file, 'configurations:\n  orders:\n    agent.sample_n_per_3_secs: 2\n');
      const source = new AgentConfigSource(file);
      const first = readDiscoveryCommand(source.answer({ service: 'orders' }))!;
      expect([...first.config]).toEqual([['agent.sample_n_per_3_secs', '2']]);
      writeFileSync(file, 'configurations:\n  orders:\n    agent.sample_n_per_3_secs: 7\n    x: y\n');
      expect([...readDiscoveryCommand(source.answer({ service: 'orders' }))!.config]).toEqual([
        ['agent.sample_n_per_3_secs', '7'],
        ['x', 'y'],
      ]);
      writeFileSync(file, 'configurations:\n\torders: 1\n');
      expect(readDiscoveryCommand(source.answer({ service: 'orders' }))!.config.get('x')).toBe('y');
      expect(lines).toEqual([
        `warn cannot read the agent configuration ${file}: ${file} line 2: indent with spaces, not tabs; the last good one is served`,
      ]);
      expect(() => new AgentConfigSource(join(dir, 'missing.yml'))).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Configuration Discovery client against the embedded collector', () => {
  function tracer(): SkyWalkingTracer {
    return new SkyWalkingTracer({
      serviceName: 'orders',
      serviceInstance: 'orders-1',
      collectorAddress: collector.grpcAddress,
      spanLimit: 300,
      sampleNPer3Secs: -1,
      ignoreSuffix: '.jpg',
    });
  }

  it('applies the keys live, sends the UUID back, falls back to local values when a key goes', async () => {
    collector.agentConfigurations.set(ORDERS);
    const t = tracer();
    const control = t.bridge.recorder.control;
    const cds = t.bridge.discovery!.client;
    await cds.fetchNow();
    expect(control.current()).toEqual({
      sampleNPer3Secs: 1,
      ignoreSuffix: ['.jpg'],
      traceIgnorePath: ['/health/**', '/metrics'],
      spanLimit: 5,
    });
    expect(t.stats().configDiscovery).toEqual({
      requests: 1,
      fetches: 1,
      failures: 0,
      applied: 1,
      unknownKeys: 1,
      invalidValues: 0,
    });
    expect(lines).toEqual([
      'warn skywalking-bridge: agent.sample_n_per_3_secs is now "1" for service orders (from the OAP\'s configuration discovery)',
      'warn skywalking-bridge: agent.trace.ignore_path is now "/health/**,/metrics" for service orders (from the OAP\'s configuration discovery)',
      'warn skywalking-bridge: agent.span_limit_per_segment is now "5" for service orders (from the OAP\'s configuration discovery)',
    ]);

    // the same UUID: the collector answers with no command, nothing is applied, nothing logged
    lines.length = 0;
    control.apply({ ...control.current(), sampleNPer3Secs: 9 });
    await cds.fetchNow();
    expect(control.current().sampleNPer3Secs).toBe(9);
    expect(t.stats().configDiscovery).toMatchObject({ fetches: 2, applied: 1 });
    expect(lines).toEqual([]);

    // the sampling key removed: back to the local value (-1), the others stay
    collector.agentConfigurations.set(
      'configurations:\n  orders:\n    agent.trace.ignore_path: /health/**,/metrics\n    agent.span_limit_per_segment: 5\n',
    );
    await cds.fetchNow();
    expect(control.current()).toMatchObject({ sampleNPer3Secs: -1, spanLimit: 5 });
    expect(lines).toEqual([
      'warn skywalking-bridge: agent.sample_n_per_3_secs is now "-1" for service orders (the local value: the OAP no longer sets it)',
    ]);

    // the service gone from the configuration: every setting local again
    lines.length = 0;
    collector.agentConfigurations.set('configurations:\n  payments:\n    agent.sample_n_per_3_secs: 3\n');
    await cds.fetchNow();
    expect(control.current()).toEqual({
      sampleNPer3Secs: -1,
      ignoreSuffix: ['.jpg'],
      traceIgnorePath: [],
      spanLimit: 300,
    });
    expect(lines.length).toBe(2);
    await t.shutdown();
  });

  it('the settings act on what is recorded: ignore path, sampling and span limit from the collector', async () => {
    collector.agentConfigurations.set(ORDERS);
    const t = tracer();
    await t.bridge.discovery!.client.fetchNow();
    const run = (name: string, spans = 1): void => {
      const root = t.startSpan(name);
      for (let i = 1; i < spans; i++) t.startSpan(`child-${i}`, { childOf: root }).finish();
      root.finish();
    };
    run('/health/live');
    run('/orders', 8);
    run('/orders/2');
    const headers: Record<string, string> = {};
    t.inject(t.startSpan('/metrics'), FORMAT_HTTP_HEADERS, headers);
    expect(headers.sw8?.startsWith('0-')).toBe(true);
    await t.flush();
    const mine = collector.segments().filter((s) => s.service === 'orders');
    expect(mine.length).toBe(1);
    expect(mine[0]!.spans.length).toBe(5);
    expect(mine[0]!.isSizeLimited).toBe(true);
    expect(t.stats().sampling).toMatchObject({ sampled: 1, notSampled: 1, ignoredPath: 2 });
    await t.shutdown();
  });

  it('with the interval at 0 nothing is asked', async () => {
    const t = new SkyWalkingTracer({
      serviceName: 'orders',
      collectorAddress: collector.grpcAddress,
      dynamicConfigInterval: 0,
    });
    expect(t.bridge.discovery).toBeUndefined();
    expect(t.stats().configDiscovery).toBeUndefined();
    await t.shutdown();
  });
});
