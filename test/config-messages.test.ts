/**
 * Messages that say what is wrong and what to do: configuration errors (exact text), unknown
 * options warned once with the closest name, the port-12800 hint, and the one line printed when the
 * collector cannot be reached (from grpc-js's real details, and against a real HTTP/1 server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Collector, startCollector } from '../src/collector';
import { ConfigError, addressProblem, closestName, describeValue, resolveConfig } from '../src/base/config';
import { type Logger, resetDiagnostics, setLogger } from '../src/base/diag';
import { SkyWalkingSpanProcessor } from '../src/opentelemetry/processor';
import { SkyWalkingTracer } from '../src/opentracing/tracer';
import { MemoryReporter } from '../src/reporter/memory';
import { cleanDetails, failedCallMessage, unreachableMessage } from '../src/reporter/unreachable';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { makeCa, makeSignedCert } from './support/certs';
import { runProcess } from './support/spawn';
import { createServer as createHttpServer, type Server } from 'node:http';
import { entryIsEsm } from '../src/bridge/esm-hint';
import { isOwnConnection, ownConnectionSampler } from '../src/bridge/own-connections';

const ROOT = resolve(__dirname, '..');

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
    expect(describeValue('x'.repeat(120))).toBe(`the string "${'x'.repeat(120)}"`);
    expect(describeValue('x'.repeat(200))).toBe(`the string "${'x'.repeat(120)}... (200 characters)"`);
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

describe('secrets and huge values', () => {
  const TOKEN = `tok-${'S3cr3t'.repeat(833)}`; // 5,002 characters

  it('a token over the bound is refused by its length, never shown (env and option)', () => {
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_AUTHENTICATION: TOKEN }))).toBe(
      'skywalking-bridge: env SW_AGENT_AUTHENTICATION is a value of 5002 characters (not shown: it is a secret); expected a string of at most 4096 characters. Fix or unset it.',
    );
    expect(messageOf(() => new SkyWalkingTracer({ authentication: TOKEN }))).toBe(
      'skywalking-bridge: option `authentication` is a value of 5002 characters (not shown: it is a secret); expected a string of at most 4096 characters (or leave it out and set env SW_AGENT_AUTHENTICATION).',
    );
  });

  it('a 5,000-character token never reaches stderr through the register', async () => {
    const { code, stderr } = await runProcess(
      process.execPath,
      ['--require', resolve(ROOT, 'dist/entry/register.js'), '-e', 'process.stdout.write("app ran")'],
      { SW_AGENT_AUTHENTICATION: TOKEN, SW_AGENT_NAME: 'secret-test' },
    );
    expect(code).toBe(0);
    expect(stderr).toBe(
      '[skywalking-bridge] ERROR register: tracing not started: env SW_AGENT_AUTHENTICATION is a value of 5002 characters (not shown: it is a secret); expected a string of at most 4096 characters. Fix or unset it.\n',
    );
    expect(stderr).not.toContain('S3cr3t');
  });

  it('a password in a URL is masked; a quoted value over 120 characters is cut with its length', () => {
    expect(
      messageOf(() => resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'http://admin:hunter2@oap:11800' })),
    ).toBe(
      'skywalking-bridge: env SW_AGENT_COLLECTOR_BACKEND_SERVICES is "http://admin:***@oap:11800": entry "http://admin:***@oap:11800" has a URL scheme; give host:port only ("admin:***@oap:11800"): agents report to the OAP over gRPC, not HTTP.',
    );
    const long = `${'n'.repeat(300)} x:1`;
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: long }))).toBe(
      `skywalking-bridge: env SW_AGENT_COLLECTOR_BACKEND_SERVICES is "${'n'.repeat(120)}... (304 characters)": entry "${'n'.repeat(120)}... (304 characters)" is not host:port (a host name or IP, a colon, a port number), e.g. "oap:11800".`,
    );
  });

  it('a 120 KiB service name, instance or host is refused in one short line that names the bound', () => {
    const huge = 'h'.repeat(120 * 1024);
    const service = messageOf(() => resolveConfig({}, { SW_AGENT_NAME: huge }));
    expect(service).toBe(
      `skywalking-bridge: env SW_AGENT_NAME is "${'h'.repeat(120)}... (122880 characters)"; expected a string of at most 200 characters. Fix or unset it.`,
    );
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_INSTANCE_NAME: huge })).length).toBeLessThan(300);
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: `${huge}:11800` }))).toBe(
      `skywalking-bridge: option \`collectorAddress\` (env SW_AGENT_COLLECTOR_BACKEND_SERVICES) names a host of 122880 characters ("${'h'.repeat(40)}... (122880 characters)"); a host name is at most 255. Give the collector's host:port.`,
    );
    expect(
      resolveConfig({}, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: `${'h'.repeat(255)}:11800` }).collectorAddresses,
    ).toEqual([`${'h'.repeat(255)}:11800`]);
  });

  it("a name past the OAP's limits (70 characters) is refused, saying the OAP would cut it", () => {
    expect(resolveConfig({ serviceName: 's'.repeat(70), serviceInstance: 'i'.repeat(70) }, {}).serviceName).toBe(
      's'.repeat(70),
    );
    expect(messageOf(() => resolveConfig({ serviceName: 's'.repeat(71) }, {}))).toBe(
      `skywalking-bridge: option \`serviceName\` (env SW_AGENT_NAME) is 71 characters: "${'s'.repeat(40)}... (71 characters)"; the OAP cuts service names at 70 (SW_SERVICE_NAME_MAX_LENGTH), so give one of at most 70.`,
    );
    expect(messageOf(() => resolveConfig({}, { SW_AGENT_INSTANCE_NAME: 'i'.repeat(71) }))).toBe(
      `skywalking-bridge: option \`serviceInstance\` (env SW_AGENT_INSTANCE_NAME) is 71 characters: "${'i'.repeat(40)}... (71 characters)"; the OAP cuts instance names at 70 (SW_INSTANCE_NAME_MAX_LENGTH), so give one of at most 70.`,
    );
  });

  it('TLS: PEM contents given as a path are never echoed; an unreadable path is named by its error code', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'K3y'.repeat(100)}\n-----END PRIVATE KEY-----\n`;
    const m = messageOf(() => new SkyWalkingTracer({ certChainPath: key, keyPath: key }));
    expect(m).toBe(
      `skywalking-bridge: caPath (env SW_AGENT_SSL_TRUSTED_CA_PATH) holds PEM contents (${key.trim().length} characters, not shown), not a file path; write them to a file and give its path.`.replace(
        'caPath (env SW_AGENT_SSL_TRUSTED_CA_PATH)',
        'keyPath (env SW_AGENT_SSL_KEY_PATH)',
      ),
    );
    expect(m).not.toContain('K3y');
    expect(messageOf(() => new SkyWalkingTracer({ caPath: '/nonexistent/ca.pem' }))).toBe(
      'skywalking-bridge: cannot read caPath (env SW_AGENT_SSL_TRUSTED_CA_PATH) "/nonexistent/ca.pem": ENOENT; give a readable PEM file.',
    );
  });
});

describe('TLS to an IP address', () => {
  let dir: string;
  let collector: Collector | undefined;
  afterAll(async () => {
    await collector?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("delivers to 127.0.0.1 over TLS without Node's DEP0123 warning (no IP servername), the certificate checked against the IP", async () => {
    dir = mkdtempSync(join(tmpdir(), 'swb-tls-ip-'));
    makeCa(dir, { cn: 'ca' });
    makeSignedCert(dir, { cn: 'ip', san: 'IP:127.0.0.1' });
    collector = await startCollector({
      grpcPort: 0,
      httpPort: false,
      tls: { certChain: readFileSync(join(dir, 'server.pem')), privateKey: readFileSync(join(dir, 'server.key')) },
    });
    const script = `
      const { SkyWalkingTracer } = require(${JSON.stringify(resolve(ROOT, 'dist/entry/opentracing.js'))});
      // a report deadline for a hang: at 5 s, two busy cores saw 'no connection within the report timeout'
      const t = new SkyWalkingTracer({ reportTimeoutMs: 60000 });
      t.startSpan('tls-ip').finish();
      t.flush().then(() => t.shutdown()).then(() => process.stdout.write('flushed'));
    `;
    const { code, stdout, stderr } = await runProcess(process.execPath, ['-e', script], {
      SW_AGENT_NAME: 'tls-ip',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
      SW_AGENT_FORCE_TLS: 'true',
      SW_AGENT_SSL_TRUSTED_CA_PATH: join(dir, 'ca.pem'),
    });
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'flushed', stderr: '' });
    expect(collector.segments().map((s) => s.service)).toEqual(['tls-ip']);
  });
});

describe('the register', () => {
  const APPS = resolve(ROOT, 'test/opentelemetry/register-apps');
  let collector: Collector | undefined;
  let target: Server | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
    if (target) await new Promise((r) => target!.close(r));
    target = undefined;
  });

  async function start(): Promise<{ env: Record<string, string> }> {
    collector = await startCollector({ grpcPort: 0, httpPort: false });
    target = createHttpServer((_q, r) => r.end('ok'));
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
    return {
      env: {
        SW_AGENT_NAME: 'reg-msg',
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
        TARGET_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}/x`,
      },
    };
  }

  const HINT =
    '[skywalking-bridge] WARN register: the application (client.mjs) is an ES module, and --require instruments only modules loaded with require(): what it imports (http frameworks, database clients) runs untraced and routes show as "GET". Start it with `node --import skywalking-bridge/register client.mjs` instead.\n';

  it('an ES module entry under --require gets one line saying to use --import; under --import, none', async () => {
    const { env } = await start();
    const required = await runProcess(
      process.execPath,
      ['--require', resolve(ROOT, 'dist/entry/register.js'), join(APPS, 'client.mjs')],
      env,
    );
    expect(required).toEqual({ code: 0, stdout: '200 ok\n', stderr: HINT });
    const imported = await runProcess(
      process.execPath,
      ['--import', resolve(ROOT, 'esm/register.mjs'), join(APPS, 'client.mjs')],
      env,
    );
    expect(imported).toEqual({ code: 0, stdout: '200 ok\n', stderr: '' });
    const cjs = await runProcess(
      process.execPath,
      ['--require', resolve(ROOT, 'dist/entry/register.js'), join(APPS, 'client.js')],
      env,
    );
    expect(cjs).toEqual({ code: 0, stdout: '200 ok\n', stderr: '' });
    expect(entryIsEsm(['node'], ['--input-type=module'])).toBe(true);
    expect(entryIsEsm(['node', join(APPS, 'client.js')], [])).toBe(false);
    expect(entryIsEsm(['node', join(APPS, 'client.mjs')], [])).toBe(true);
  });

  it('with every auto-instrumentation on (net, dns, grpc, http): no trace of our own connection to the collector', async () => {
    const { env } = await start();
    const r = await runProcess(
      process.execPath,
      ['--require', resolve(ROOT, 'dist/entry/register.js'), join(APPS, 'client.js')],
      { ...env, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,net,dns,grpc,undici' },
    );
    expect(r).toEqual({ code: 0, stdout: '200 ok\n', stderr: '' });
    await collector!.waitFor(() => collector!.segments().length > 0);
    // the application's own GET, with its socket connect under it; nothing rooted at a connect
    const roots = collector!
      .segments()
      .flatMap((s) => s.spans.filter((x) => x.parentSpanId === -1 && x.refs.length === 0));
    expect(roots.map((x) => x.operationName)).toEqual(['/x']);
    expect(
      collector!
        .segments()
        .flatMap((s) => s.spans.map((x) => x.operationName))
        .sort(),
    ).toEqual(['/x', 'tcp.connect']);
  });

  it('the sampler records no root connect span to a collector address; every other span as the SDK would', () => {
    const parent = { traceFlags: 1 };
    let current: { traceFlags: number } | undefined;
    const sampler = ownConnectionSampler(['oap:11800', '[::1]:11801'], () => current);
    const decide = (name: string, attributes: Record<string, string | number>) =>
      sampler.shouldSample({} as never, 't', name, 2, attributes).decision;
    expect(decide('tcp.connect', { 'server.address': '10.0.0.7', 'server.port': 11800 })).toBe(0);
    expect(decide('tcp.connect', { 'server.address': 'oap', 'server.port': 11800 })).toBe(0);
    expect(decide('tls.connect', { 'server.address': '::1', 'server.port': 11801 })).toBe(0);
    expect(decide('tcp.connect', { 'server.address': 'db', 'server.port': 11800 })).toBe(2);
    expect(decide('tcp.connect', { 'server.address': '10.0.0.7', 'server.port': 5432 })).toBe(2);
    expect(decide('GET', { 'server.address': '10.0.0.7', 'server.port': 11800 })).toBe(2);
    current = parent;
    expect(decide('tcp.connect', { 'server.address': '10.0.0.7', 'server.port': 11800 })).toBe(2);
    current = { traceFlags: 0 };
    expect(decide('GET', {})).toBe(0);
    expect(
      isOwnConnection('connect', { 'net.peer.name': 'oap', 'net.peer.port': 11800 }, [{ host: 'oap', port: 11800 }]),
    ).toBe(true);
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

  it('an HTTP/2 server answering 404 where gRPC was expected (a proxy, an ingress): the hint says what is in the way', async () => {
    const server = createHttp2Server((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tracer = new SkyWalkingTracer({ serviceName: 'x', collectorAddress: address, reportTimeoutMs: 2000 });
    try {
      tracer.startSpan('op').finish();
      await tracer.flush();
    } finally {
      await tracer.shutdown();
      await new Promise((r) => server.close(r));
    }
    const hint =
      "an HTTP server answered (status 404) where gRPC was expected. Usually a proxy or ingress in the way that does not pass gRPC through (it must forward HTTP/2 to the OAP's gRPC port), or the wrong port (the OAP takes agents' gRPC on 11800; 12800 is its HTTP port). Check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option `collectorAddress`).";
    const line = (what: string) =>
      `warn ${what} to ${address} failed: UNIMPLEMENTED Received HTTP status code 404: ${hint}`;
    expect(lines).toContain(line('collect'));
    for (const l of lines) expect([line('collect'), line('heartbeat')]).toContain(l);
    expect(failedCallMessage('segments', 'oap:11800', 'UNIMPLEMENTED', 'Received HTTP status code 404')).toBe(
      `segments to oap:11800 failed: UNIMPLEMENTED Received HTTP status code 404: ${hint}`,
    );
    expect(failedCallMessage('segments', 'oap:11800', 'INTERNAL', 'boom')).toBe(
      'segments to oap:11800 failed: INTERNAL boom',
    );
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
