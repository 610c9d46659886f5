'use strict';
// The collectInSync call alone: the same batches of encoded segments sent by our own HTTP/2 unary
// client (dist/reporter/http2-unary) or by grpc-js's unary call, to the counting collector in
// another process (argv[3] = grpc host:port, argv[4] = its http url).
//   argv[2]: http2    Http2UnaryClient.call with the batch's contiguous parts, as the gRPC reporter does
//            grpc-js  grpc.Client.makeUnaryRequest on a channel with the reporter's options; the
//                     serializer passes the batch through (one view when the entries lie next to each
//                     other in memory, Buffer.concat otherwise); grpc-js frames it (one copy)
//   argv[5]: segments per batch (500: the reporter's batchSize, a busy app; 10: a light load)
// The segments are our tracer's 5-span segments, encoded into one ProtoWriter as the reporter's
// queue holds them, made before the clock starts. One call in flight at a time, as the reporter
// sends. Prints { case, batch, segments, batches, segmentsPerSec, cpuUsPerSegment, cpuUsPerBatch, sysShare }.
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const [impl, grpcAddr, countUrl, batchArg = '500'] = process.argv.slice(2);
const BATCH = Number(batchArg);
const quick = process.env.BENCH_QUICK === '1';
// a light load makes many small calls: fewer segments keep the case short
const SEGMENTS = (quick ? 10_000 : 40_000) / (BATCH < 100 ? 4 : 1);
const WARMUP = 2_000;
const PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';

// As the gRPC reporter does: entries that lie next to each other in memory become one view
const { contiguous } = require(join(ROOT, 'dist', 'reporter', 'contiguous'));

function segments(n) {
  const { Tags } = require('opentracing');
  const { SkyWalkingTracer } = require(ROOT);
  const { ProtoWriter } = require(join(ROOT, 'dist', 'protocol', 'proto-writer'));
  const { openTracingTrace } = require('./tracers');
  const writer = new ProtoWriter();
  const out = [];
  const tracer = new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter: {
      report: (s) => void out.push(s.encode(writer)),
      flush: async () => undefined,
      shutdown: async () => undefined,
      stats: () => ({}),
    },
  });
  for (let i = 0; out.length < n; i++) openTracingTrace(tracer, Tags, i);
  return out;
}

function sender() {
  if (impl === 'http2') {
    const { Http2UnaryClient } = require(join(ROOT, 'dist', 'reporter', 'http2-unary'));
    const client = new Http2UnaryClient(grpcAddr, false, {});
    return {
      send: (batch) =>
        new Promise((resolve, reject) => {
          let length = 0;
          for (const e of batch) length += e.length;
          client.call(PATH, contiguous(batch), length, {}, Date.now() + 30_000, (s) =>
            s.code === 0 ? resolve() : reject(new Error(`${s.code} ${s.details}`)),
          );
        }),
      close: () => client.close(),
    };
  }
  if (impl === 'grpc-js') {
    const grpc = require('@grpc/grpc-js');
    const { CHANNEL_OPTIONS } = require(join(ROOT, 'dist', 'reporter', 'channel'));
    const client = new grpc.Client(grpcAddr, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const serialize = (batch) => {
      const parts = contiguous(batch);
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    };
    const NONE = Object.freeze({});
    const deserialize = () => NONE;
    return {
      send: (batch) =>
        new Promise((resolve, reject) => {
          client.makeUnaryRequest(
            PATH,
            serialize,
            deserialize,
            batch,
            new grpc.Metadata(),
            { deadline: Date.now() + 30_000 },
            (err) => (err ? reject(err) : resolve()),
          );
        }),
      close: () => client.close(),
    };
  }
  throw new Error(`unknown unary case ${impl}`);
}

async function count() {
  return (await (await fetch(countUrl)).json()).sw;
}

async function main() {
  const all = segments(WARMUP + SEGMENTS);
  const spansPerSegment = 5;
  const s = sender();
  for (let i = 0; i < WARMUP; i += BATCH) await s.send(all.slice(i, Math.min(WARMUP, i + BATCH)));
  await fetch(countUrl.replace(/\/count$/, '/reset'));
  const batches = [];
  for (let i = WARMUP; i < all.length; i += BATCH) batches.push(all.slice(i, Math.min(all.length, i + BATCH)));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of batches) await s.send(b);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  const delivered = await count();
  if (delivered !== SEGMENTS * spansPerSegment)
    throw new Error(`${delivered} spans arrived, ${SEGMENTS * spansPerSegment} sent`);
  s.close();
  const cpuUs = cpu.user + cpu.system;
  console.log(
    JSON.stringify({
      case: impl,
      batch: BATCH,
      segments: SEGMENTS,
      batches: batches.length,
      bytes: batches.reduce((n, b) => n + b.reduce((m, e) => m + e.length, 0), 0),
      segmentsPerSec: Math.round(SEGMENTS / (ns / 1e9)),
      cpuUsPerSegment: cpuUs / SEGMENTS,
      cpuUsPerBatch: cpuUs / batches.length,
      sysShare: cpu.system / cpuUs,
    }),
  );
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
