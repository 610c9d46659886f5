'use strict';
// The collector's API under load: 10,000 traces stored, then 1,000 concurrent GET /api/search (five
// different queries, each client on a connection of its own) while another agent keeps reporting
// 5,000 more traces. The collector runs in its own process (dist/collector), as the CLI runs it.
// Prints { case, traces, requests, ok, statuses, p50Ms, p99Ms, maxMs, ingested, stored, lost }.
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

async function main() {
  const c = await startCollector();
  try {
    await report(c.grpc, 0, TRACES);
    const ingesting = report(c.grpc, TRACES, TRACES + MORE);
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => get(`${c.http}/api/search?${QUERIES[i % QUERIES.length]}`)),
    );
    await ingesting;
    const s = await stats(c.http);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    const statuses = {};
    const errors = {};
    for (const r of results) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
    }
    console.log(
      JSON.stringify({
        case: 'collector-search',
        traces: TRACES,
        requests: REQUESTS,
        ok: statuses[200] ?? 0,
        statuses,
        errors,
        p50Ms: Math.round(ms[Math.floor(ms.length * 0.5)]),
        p99Ms: Math.round(ms[Math.floor(ms.length * 0.99)]),
        maxMs: Math.round(ms[ms.length - 1]),
        ingested: TRACES + MORE,
        stored: s.segments,
        lost: TRACES + MORE - s.segments,
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
