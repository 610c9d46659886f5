/**
 * The package as users get it: `npm pack`, install the tarball into an empty project, then
 * `require` it, `import` it under ESM, and report a real segment over gRPC from the installed copy
 * (which proves the shipped .proto files load from node_modules).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as grpcTypes from '@grpc/grpc-js';
import { loadServices } from '../src/protocol/loader';
import type { SegmentObject } from '../src/base/model';

const ROOT = resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work: string;
let server: grpcTypes.Server;
let port = 0;
const received: SegmentObject[] = [];

function startServer(): Promise<number> {
  const { grpc, TraceSegmentReportService, ManagementService } = loadServices();
  server = new grpc.Server();
  server.addService(TraceSegmentReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<SegmentObject, unknown>, callback: grpcTypes.sendUnaryData<unknown>) {
      call.on('data', (s: SegmentObject) => received.push(s));
      call.on('end', () => callback(null, { commands: [] }));
      call.on('error', () => undefined);
    },
    collectInSync(
      call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>,
      callback: grpcTypes.sendUnaryData<unknown>,
    ) {
      received.push(...call.request.segments);
      callback(null, { commands: [] });
    },
  });
  server.addService(ManagementService.service, {
    reportInstanceProperties: (_c: unknown, cb: grpcTypes.sendUnaryData<unknown>) => cb(null, { commands: [] }),
    keepAlive: (_c: unknown, cb: grpcTypes.sendUnaryData<unknown>) => cb(null, { commands: [] }),
  });
  return new Promise((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : ok(p))),
  );
}

/** Run a script of the consumer project (asynchronously: the gRPC server lives in this process). */
function run(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      {
        cwd: work,
        env: { ...process.env, SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}`, SW_AGENT_NAME: undefined },
        encoding: 'utf8',
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'swb-pack-'));
  execFileSync(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      `./${tarball}`,
      'opentracing@0.14.7',
    ],
    { cwd: work, stdio: 'ignore' },
  );
  port = await startServer();
}, 180_000);

afterAll(async () => {
  await new Promise<void>((ok) => (server ? server.tryShutdown(() => ok()) : ok()));
  if (work) rmSync(work, { recursive: true, force: true });
});

it('ships only the build, the protos and the docs', () => {
  const files = execFileSync(NPM, ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
  const paths = (JSON.parse(files) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  expect(paths).toContain('dist/entry/index.js');
  expect(paths).toContain('dist/entry/index.d.ts');
  expect(paths).toContain('protos/language-agent/Tracing.proto');
  expect(paths).toContain('README.md');
  expect(paths.filter((p) => /^(src|test|compat-tests|examples|bench)\//.test(p))).toEqual([]);
});

it('works with require() from the installed tarball and reports over gRPC', async () => {
  writeFileSync(
    join(work, 'cjs.js'),
    `const { initGlobalTracer, globalTracer, Tracer } = require('opentracing');
const { SkyWalkingTracer } = require('skywalking-bridge');
const tracer = new SkyWalkingTracer({ serviceName: 'pack-cjs', serviceInstance: 'i-1' });
initGlobalTracer(tracer);
const span = globalTracer().startSpan('cjs-op');
span.finish();
tracer.shutdown().then(() => console.log(JSON.stringify({ isTracer: tracer instanceof Tracer, stats: tracer.stats() })));
`,
  );
  const r = await run('cjs.js');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout.trim()) as { isTracer: boolean; stats: { sent: number } };
  expect(out.isTracer).toBe(true);
  expect(out.stats.sent).toBe(1);
  const seg = received.find((s) => s.service === 'pack-cjs');
  expect(seg?.serviceInstance).toBe('i-1');
  expect(seg?.spans.map((s) => s.operationName)).toEqual(['cjs-op']);
});

it('works with import from ESM', async () => {
  writeFileSync(
    join(work, 'esm.mjs'),
    `import { SkyWalkingTracer } from 'skywalking-bridge';
import { encodeSw8, decodeSw8 } from 'skywalking-bridge/sw8';
import * as ot from 'opentracing';
const tracer = new SkyWalkingTracer({ serviceName: 'pack-esm', serviceInstance: 'i-2' });
ot.initGlobalTracer(tracer);
const span = ot.globalTracer().startSpan('esm-op', { tags: { 'span.kind': 'client', 'peer.hostname': 'users', 'peer.port': 8080 } });
const headers = {};
ot.globalTracer().inject(span, ot.FORMAT_HTTP_HEADERS, headers);
span.finish();
await tracer.shutdown();
console.log(JSON.stringify({ sw8: decodeSw8(headers.sw8) !== undefined, encode: typeof encodeSw8 }));
`,
  );
  const r = await run('esm.mjs');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout.trim())).toEqual({ sw8: true, encode: 'function' });
  const seg = received.find((s) => s.service === 'pack-esm');
  expect(seg?.spans.map((s) => [s.operationName, s.peer])).toEqual([['esm-op', 'users:8080']]);
});
