'use strict';
// The collector's API under load: 10,000 traces stored, then 1,000 concurrent GET /api/search (five
// different queries, each client on a connection of its own) while another agent keeps reporting
// 5,000 more traces; then the same burst on /healthz (no work: the floor the machine and the
// connections set) while 5,000 more arrive. The collector runs in its own process (dist/collector).
// Prints { case, traces, requests, ok, statuses, errors, p50Ms, p99Ms, maxMs, healthzP50Ms,
// healthzP99Ms, ingested, stored, lost }.
const { spawn } = require('node:child_process');
const http = require('node:http');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const TRACES = 10_000;
const MORE = Number(process.env.MORE ?? 5_000);
const REQUESTS = 1_000;
const QUERIES = ['', 'service=svc-1', 'error=true', 'minDuration=10', 'endpoint=GET:/a*'];

function startCollector() {
  const script = `
    const { startCollector } = require(${JSON.stringify(join(ROOT, 'dist', 'collector'))});
    startCollector({ grpcPort: 0, httpPort: 0, maxSegments: 50_000, maxBytes: 512 * 1024 * 1024 }).then((c) =>
      console.log('READY ' + JSON.stringify({ grpc: c.grpcAddress, http: c.httpUrl })));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (.+)\n/.exec(out);
      if (m) resolve({ child, ...JSON.parse(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`collector exited ${code}`)));
  });
}

function segment(i) {
  const t = 1_700_000_000_000 + i * 10;
  const span = (spanId, parentSpanId, spanType, operationName, peer) => ({
    spanId,
    parentSpanId,
    startTime: t + spanId,
    endTime: t + spanId + (i % 50),
    operationName,
    peer,
    spanType,
    spanLayer: 'Http',
    componentId: 49,
    isError: i % 17 === 0,
    tags: [{ key: 'http.method', value: 'GET' }],
  });
  return {
    traceId: `trace-${i}`,
    traceSegmentId: `seg-${i}`,
    service: `svc-${i % 7}`,
    serviceInstance: 'inst-1',
    spans: [
      span(0, -1, 'Entry', `GET:/${String.fromCharCode(97 + (i % 26))}/${i % 100}`, ''),
      span(1, 0, 'Exit', '/db', 'db:5432'),
      span(2, 0, 'Local', 'render', ''),
    ],
  };
}

/** Report segments [from, to) over one stream; resolves when the collector acknowledged them. */
function report(address, from, to) {
  const { loadServices } = require(join(ROOT, 'dist', 'protocol', 'loader'));
  const { grpc, TraceSegmentReportService } = loadServices();
  const client = new TraceSegmentReportService(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.collect(new grpc.Metadata(), (e) => {
      client.close();
      if (e) reject(e);
      else resolve();
    });
    let i = from;
    const pump = () => {
      while (i < to) if (!call.write(segment(i++))) return call.once('drain', pump);
      call.end();
    };
    pump();
  });
}

function get(url) {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      if (res.statusCode !== 200) res.on('data', (d) => (body += d));
      else res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t, error: body.slice(0, 60) }));
    });
    req.on('error', (e) => resolve({ status: e.code || 'error', ms: performance.now() - t }));
  });
}

async function stats(url) {
  return new Promise((resolve) => {
    http.get(`${url}/api/stats`, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
  });
}

/** REQUESTS concurrent GETs of `path` (cycling QUERIES) while `from..to` more traces are reported. */
async function burst(c, path, from, to) {
  const ingesting = report(c.grpc, from, to);
  const results = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => get(`${c.http}${path}?${QUERIES[i % QUERIES.length]}`)),
  );
  await ingesting;
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const statuses = {};
  const errors = {};
  for (const r of results) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
  }
  return {
    ok: statuses[200] ?? 0,
    statuses,
    errors,
    p50Ms: Math.round(ms[Math.floor(ms.length * 0.5)]),
    p99Ms: Math.round(ms[Math.floor(ms.length * 0.99)]),
    maxMs: Math.round(ms[ms.length - 1]),
  };
}

async function main() {
  const c = await startCollector();
  try {
    await report(c.grpc, 0, TRACES);
    const search = await burst(c, '/api/search', TRACES, TRACES + MORE);
    // the floor under the same load: the same burst on /healthz, which does no work
    const floor = await burst(c, '/healthz', TRACES + MORE, TRACES + 2 * MORE);
    const s = await stats(c.http);
    console.log(
      JSON.stringify({
        case: 'collector-search',
        traces: TRACES,
        requests: REQUESTS,
        ...search,
        healthzP50Ms: floor.p50Ms,
        healthzP99Ms: floor.p99Ms,
        ingested: TRACES + 2 * MORE,
        stored: s.segments,
        lost: TRACES + 2 * MORE - s.segments,
      }),
    );
  } finally {
    c.child.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
