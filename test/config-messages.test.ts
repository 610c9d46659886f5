/**
 * Messages that say what is wrong and what to do: configuration errors (exact text), unknown
 * options warned once with the closest name, the port-12800 hint, and the one line printed when the
 * collector cannot be reached (from grpc-js's real details, and against a real HTTP/1 server).
 */
import { type Collector, startCollector } from '../src/collector';
import { ConfigError, addressProblem, closestName, describeValue, resolveConfig } from '../src/base/config';
import { type Logger, resetDiagnostics, setLogger } from '../src/base/diag';
import { SkyWalkingSpanProcessor } from '../src/opentelemetry/processor';
import { SkyWalkingTracer } from '../src/opentracing/tracer';
import { MemoryReporter } from '../src/reporter/memory';
import { cleanDetails, unreachableMessage } from '../src/reporter/unreachable';

const lines: string[] = [];
const capture: Logger = {
  error: (m) => lines.push(`error ${m}`),
  warn: (m) => lines.push(`warn ${m}`),
  info: () => undefined,
  debug: () => undefined,
};

beforeEach(() => {
  resetDiagnostics();
  lines.length = 0;
  setLogger(capture);
});
afterEach(() => {
  setLogger(undefined);
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('configuration errors', () => {
  it('an array for collectorAddress: says to give one string, and which', () => {
    expect(messageOf(() => resolveConfig({ collectorAddress: ['a:1', 'b:2'] as never }, {}))).toBe(
      'skywalking-bridge: option `collectorAddress` is an array ["a:1","b:2"]; give one string, comma-separated: "a:1,b:2".',
    );
  });

  it('null or a non-object as options: says what to pass', () => {
    expect(messageOf(() => new SkyWalkingTracer(null as never))).toBe(
      "skywalking-bridge: the options argument is null; pass an object such as { serviceName: 'orders' }, or nothing at all.",
    );
    expect(messageOf(() => resolveConfig('orders' as never, {}))).toBe(
      'skywalking-bridge: the options argument is the string "orders"; pass an object such as { serviceName: \'orders\' }, or nothing at all.',
    );
  });

  it('a value of the wrong type is shown with its type, not quoted like a string', () => {
    expect(messageOf(() => resolveConfig({ secure: 'true' as never }, {}))).toBe(
      'skywalking-bridge: option `secure` is the string "true"; expected true or false (or leave it out and set env SW_AGENT_FORCE_TLS).',
    );
    expect(messageOf(() => resolveConfig({ batchSize: '100' as never }, {}))).toBe(
      'skywalking-bridge: option `batchSize` is the string "100"; expected a whole number from 1 to 100000 (or leave it out and set env SW_BRIDGE_BATCH_SIZE).',
    );
    expect(messageOf(() => resolveConfig({ spanLimit: 0 }, {}))).toBe(
      'skywalking-bridge: option `spanLimit` is 0; expected a whole number from 1 to 100000 (or leave it out and set env SW_AGENT_SPAN_LIMIT).',
    );
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_SPAN_LIMIT: 'lots' }))).toBe(
      'skywalking-bridge: env SW_AGENT_SPAN_LIMIT is "lots"; expected a whole number from 1 to 100000. Fix or unset it.',
    );
    expect(describeValue({ a: 1 })).toBe('an object {"a":1}');
    expect(describeValue('x'.repeat(100))).toBe(`the string "${'x'.repeat(76)}...`);
  });

  it('a malformed SW_AGENT_COLLECTOR_BACKEND_SERVICES names the bad entry and the fix', () => {
    const cases: Array<[string, string]> = [
      ['oap-1:11800,oap', 'entry "oap" has no port; add the OAP\'s gRPC port, e.g. "oap:11800"'],
      [
        'http://oap:11800',
        'entry "http://oap:11800" has a URL scheme; give host:port only ("oap:11800"): agents report to the OAP over gRPC, not HTTP',
      ],
      ['::1:11800', 'entry "::1:11800" looks like an IPv6 address; put the host in brackets, e.g. "[::1]:11800"'],
      ['oap:99999', 'entry "oap:99999" has port 99999, outside 1-65535'],
      ['oap:0', 'entry "oap:0" has port 0, outside 1-65535'],
      ['a b:1', 'entry "a b:1" is not host:port (a host name or IP, a colon, a port number), e.g. "oap:11800"'],
      [' , ', 'it has no address in it; give host:port, e.g. "oap:11800"'],
    ];
    for (const [value, problem] of cases) {
      expect(messageOf(() => resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: value }))).toBe(
        `skywalking-bridge: env SW_AGENT_COLLECTOR_BACKEND_SERVICES is ${JSON.stringify(value.trim())}: ${problem}.`,
      );
    }
    expect(addressProblem('[::1]:11800,oap:11800')).toBeUndefined();
  });

  it('port 12800 (the OAP HTTP port) gets one warning pointing at 11800', () => {
    expect(resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'oap:12800' }).collectorAddresses).toEqual([
      'oap:12800',
    ]);
    resolveConfig({ collectorAddress: 'oap:12800' }, {});
    expect(lines).toEqual([
      "warn skywalking-bridge: env SW_AGENT_COLLECTOR_BACKEND_SERVICES names oap:12800: 12800 is the OAP's HTTP port (queries, UI); agents report over gRPC, on port 11800 by default. Use oap:11800 unless your OAP's gRPC really listens on 12800.",
    ]);
  });
});

describe('unknown options', () => {
  it('warns once per name, with the closest known name', () => {
    const c = resolveConfig({ servicename: 'orders' } as never, {});
    expect(c.serviceName).toBe('your-nodejs-service');
    resolveConfig({ servicename: 'orders' } as never, {});
    resolveConfig({ colectorAddress: 'oap:11800', totallyUnrelatedThing: 1 } as never, {});
    expect(lines).toEqual([
      'warn skywalking-bridge: unknown option `servicename` is ignored; did you mean `serviceName`?',
      'warn skywalking-bridge: unknown option `colectorAddress` is ignored; did you mean `collectorAddress`?',
      'warn skywalking-bridge: unknown option `totallyUnrelatedThing` is ignored; see the configuration table in the README for the option names.',
    ]);
  });

  it('says nothing about the options the front-ends take themselves, nor about undefined values', () => {
    const p = new SkyWalkingSpanProcessor({
      reporter: new MemoryReporter(),
      endpointName: () => 'x',
      serviceName: undefined,
    });
    const t = new SkyWalkingTracer({ reporter: 'none', instanceProperties: { team: 'a' }, legacyInject: ['b3'] });
    void p.shutdown();
    void t.shutdown();
    expect(lines).toEqual([]);
    expect(closestName('spanlimit', ['spanLimit', 'tagsPerSpan'])).toBe('spanLimit');
    expect(closestName('q', ['spanLimit'])).toBeUndefined();
  });
});

describe('the collector cannot be reached', () => {
  it('one line from grpc-js details: the cause in words, no fragments, what to check', () => {
    const refused = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ';
    expect(cleanDetails(refused)).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(unreachableMessage('127.0.0.1:1', refused, 3)).toBe(
      'cannot reach the SkyWalking collector at 127.0.0.1:1: connection refused (nothing listens on that port). 3 segment(s) queued, retrying with backoff; check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option `collectorAddress`).',
    );
    expect(
      cleanDetails(
        'No connection established. Last error: Protocol error (2026-11-30T23:29:06.831Z). Resolution note: ',
      ),
    ).toBe('Protocol error');
    expect(unreachableMessage('oap:1', 'Something new', 0)).toBe(
      'cannot reach the SkyWalking collector at oap:1: Something new. 0 segment(s) queued, retrying with backoff; check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option `collectorAddress`).',
    );
  });

  let collector: Collector | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  it('pointed at an HTTP/1 server (as the OAP HTTP port): one line, with the 11800 hint', async () => {
    collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    const address = `127.0.0.1:${new URL(collector.httpUrl!).port}`;
    // the heartbeat's first call fails at once with grpc-js's details; the send waits for its deadline
    const tracer = new SkyWalkingTracer({ serviceName: 'x', collectorAddress: address, reportTimeoutMs: 2000 });
    try {
      tracer.startSpan('op').finish();
      await tracer.flush();
    } finally {
      await tracer.shutdown();
    }
    expect(lines).toEqual([
      `warn cannot reach the SkyWalking collector at ${address}: the server there does not speak gRPC: is it the OAP's HTTP port (12800)? Agents report over gRPC, on the OAP's port 11800 by default. 1 segment(s) queued, retrying with backoff; check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option \`collectorAddress\`).`,
    ]);
  });
});
