'use strict';
// The log-pipeline path (issue #30). Cases (argv[2]), each against the counting collector in another
// process (argv[3] = its gRPC host:port, argv[4] = its count URL):
//   app-line   the application thread's cost per segment with reporter 'line' (to a file)
//   app-grpc   the same with the gRPC reporter (the peer)
//   forward    `forward`'s CPU per segment: a file of segment lines read, parsed and sent, in this
//              process (the forwarder's own code, dist/forward/cli), to the counting collector
//   direct     the peer: the library's gRPC reporter's CPU per segment for the same segments
//              (encode and send; the segments made before the clock starts)
//   stream     a file written at 20,000 segments/s for 5 s while `forward` follows it: the share
//              delivered when the writer stops plus 5 s
// Segments are the bench's 5-span OpenTracing traces (bench/cases/tracers.js). Prints one JSON line.
const { mkdtempSync, rmSync, appendFileSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const [mode, grpcAddr, countUrl] = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === '1';
const N = quick ? 10_000 : 40_000;
const SPANS = 5;
const dir = mkdtempSync(join(tmpdir(), 'swb-bench-forward-'));

const { Tags } = require('opentracing');
const { SkyWalkingTracer } = require(ROOT);
const { openTracingTrace } = require('./tracers');

const count = async () => (await (await fetch(countUrl)).json()).sw;
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
async function until(check, ms) {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** The application thread: N traces recorded and handed to the reporter, timed. */
async function app(reporter) {
  const tracer = new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter,
    collectorAddress: grpcAddr,
    lineFile: join(dir, 'app.lines'),
    lineBufferChars: 2 ** 30,
    maxBufferSize: N,
  });
  for (let i = 0; i < 2000; i++) openTracingTrace(tracer, Tags, i);
  await tracer.flush(30_000);
  // the request path (the traces recorded and handed over) and the thread's whole CPU (the
  // writes and sends that follow on the same thread included)
  const c0 = cpuUs();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) openTracingTrace(tracer, Tags, i);
  const ns = Number(process.hrtime.bigint() - t0);
  await tracer.flush(60_000);
  const cpu = cpuUs() - c0;
  const stats = tracer.stats();
  await tracer.shutdown(60_000);
  return {
    case: `app-${reporter}`,
    segments: N,
    nsPerSegment: ns / N,
    cpuUsPerSegment: cpu / N,
    sent: stats.sent,
    dropped: stats.dropped,
  };
}

/** N segment lines in a file, as reporter 'line' writes them. */
async function lineFile(n) {
  const file = join(dir, 'segments.lines');
  const tracer = new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter: 'line',
    lineFile: file,
  });
  // in steps, so the reporter's bounded queue (lineBufferChars) never drops one
  for (let i = 0; i < n; i++) {
    openTracingTrace(tracer, Tags, i);
    if (i % 1000 === 999) await tracer.flush(60_000);
  }
  await tracer.shutdown(60_000);
  return file;
}

async function forward() {
  const file = await lineFile(N);
  const { forwardCommand, parseForwardArgs } = require(join(ROOT, 'dist', 'forward', 'cli'));
  const before = await count();
  const c0 = cpuUs();
  const t0 = Date.now();
  await forwardCommand(parseForwardArgs(['--file', file, '--no-follow', '--collector', grpcAddr]));
  const cpu = cpuUs() - c0;
  const ms = Date.now() - t0;
  const spans = (await count()) - before;
  const segments = spans / SPANS;
  return { case: 'forward', segments, cpuUsPerSegment: cpu / segments, segmentsPerSec: (segments / ms) * 1000 };
}

async function direct() {
  const segments = [];
  const tracer = new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter: {
      report: (s) => void segments.push(s),
      flush: async () => undefined,
      shutdown: async () => undefined,
      stats: () => ({}),
    },
  });
  for (let i = 0; i < N; i++) openTracingTrace(tracer, Tags, i);
  const { GrpcReporter } = require(join(ROOT, 'dist', 'reporter', 'grpc'));
  const { resolveConfig } = require(join(ROOT, 'dist', 'base', 'config'));
  const reporter = new GrpcReporter(resolveConfig({ collectorAddress: grpcAddr, maxBufferSize: N }), {
    lateIdentity: true,
  });
  const before = await count();
  const c0 = cpuUs();
  for (const s of segments) reporter.report(s);
  await until(async () => (await count()) - before >= N * SPANS, 120_000);
  const cpu = cpuUs() - c0;
  await reporter.shutdown(5000);
  return { case: 'direct', segments: ((await count()) - before) / SPANS, cpuUsPerSegment: cpu / N };
}

async function stream() {
  const RATE = 20_000;
  const SECONDS = quick ? 2 : 5;
  const source = readFileSync(await lineFile(RATE / 10), 'utf8');
  const file = join(dir, 'stream.lines');
  appendFileSync(file, '');
  const { spawn } = require('node:child_process');
  const before = await count();
  const fwd = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'entry', 'cli.js'), 'forward', '--file', file, '--collector', grpcAddr],
    {
      stdio: 'ignore',
    },
  );
  // a tenth of a second's lines every 100 ms
  const t0 = Date.now();
  for (let tick = 0; tick < SECONDS * 10; tick++) {
    appendFileSync(file, source);
    const next = t0 + (tick + 1) * 100;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  const written = SECONDS * RATE;
  await until(async () => (await count()) - before >= written * SPANS, 5000);
  const delivered = ((await count()) - before) / SPANS;
  fwd.kill('SIGTERM');
  return { case: 'stream', rate: RATE, written, delivered, share: delivered / written };
}

const cases = { 'app-line': () => app('line'), 'app-grpc': () => app('grpc'), forward, direct, stream };
cases[mode]()
  .then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  });
