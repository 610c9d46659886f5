'use strict';
// A 5-span segment's protobuf encoding against the making of its spans (issue #32, item 2), per
// span. Every case makes the same traces (bench/cases/tracers.js's shape) through our OpenTracing
// tracer; what its reporter does with each segment as it closes (still hot in the CPU's caches,
// as in the real reporter) is argv[2]:
//   making       nothing: the cost of making the spans (what the application's thread pays)
//   encode       Segment.encode() into a ProtoWriter, as the gRPC and Kafka reporters do (the late
//                mapping of the raw tags, then the bytes)
//   protobufjs   toSegmentObject() (the late mapping, then the plain SegmentObject), then
//                protobuf.js's Type.encode(object).finish()
// The encoding is timed inside the reporter, segment by segment (Segment.encode(), or protobuf.js's
// encode alone): encodeNsPerSpan; the rest of the round is the making (makingNsPerSpan), so both
// come from the same process. Two clock reads per segment count as encoding (~10-20 ns a span).
// Warm-up, then ROUNDS rounds of TRACES traces; prints the medians of the rounds as one JSON line.
const { join } = require('node:path');
const { openTracingTrace, SPANS_PER_TRACE } = require('./tracers');

const ROOT = join(__dirname, '..', '..');
const impl = process.argv[2];
const quick = process.env.BENCH_QUICK === '1';
const TRACES = quick ? 2_000 : 10_000;
const ROUNDS = quick ? 5 : 9;

const opentracing = require('opentracing');
const { SkyWalkingTracer } = require(ROOT);
const { ProtoWriter } = require(join(ROOT, 'dist', 'protocol', 'proto-writer'));

function segmentType() {
  const protobuf = require('protobufjs');
  const root = new protobuf.Root();
  const protos = join(ROOT, 'protos');
  root.resolvePath = (_origin, target) => join(protos, target);
  root.loadSync('language-agent/Tracing.proto', { keepCase: true });
  return root.lookupType('skywalking.v3.SegmentObject');
}

let closed = 0;
let sink = 0;
let encodeNs = 0;

function reportOf(kind) {
  const writer = new ProtoWriter();
  const hr = process.hrtime.bigint;
  switch (kind) {
    case 'making':
      return () => undefined;
    case 'encode':
      return (segment) => {
        const t0 = hr();
        sink += segment.encode(writer).length;
        encodeNs += Number(hr() - t0);
      };
    case 'protobufjs': {
      const Type = segmentType();
      return (segment) => {
        const object = segment.toSegmentObject();
        const t0 = hr();
        sink += Type.encode(object).finish().length;
        encodeNs += Number(hr() - t0);
      };
    }
    default:
      throw new Error(`unknown encode case ${kind}`);
  }
}

const onClose = reportOf(impl);
const tracer = new SkyWalkingTracer({
  serviceName: 'bench',
  serviceInstance: 'bench-1',
  reporter: {
    report(segment) {
      closed++;
      onClose(segment);
    },
    flush: async () => undefined,
    shutdown: async () => undefined,
    stats: () => ({}),
  },
});

function round() {
  closed = 0;
  encodeNs = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < TRACES; i++) openTracingTrace(tracer, opentracing.Tags, i);
  return Number(process.hrtime.bigint() - start);
}

round();
const spans = TRACES * SPANS_PER_TRACE;
const rounds = { nsPerSpan: [], encodeNsPerSpan: [], makingNsPerSpan: [] };
for (let r = 0; r < ROUNDS; r++) {
  const ns = round();
  if (closed !== TRACES) throw new Error(`${closed} of ${TRACES} segments closed`);
  rounds.nsPerSpan.push(ns / spans);
  rounds.encodeNsPerSpan.push(encodeNs / spans);
  rounds.makingNsPerSpan.push((ns - encodeNs) / spans);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    case: impl,
    nsPerSpan: median(rounds.nsPerSpan),
    encodeNsPerSpan: median(rounds.encodeNsPerSpan),
    makingNsPerSpan: median(rounds.makingNsPerSpan),
    wrote: sink > 0 || impl === 'making',
  }),
);
