'use strict';
// A 5-span segment's protobuf encoding against the making of its spans (issue #32, item 2), per
// span. Every case makes the same traces (bench/cases/tracers.js's shape) through our OpenTracing
// tracer; what its reporter does with each segment as it closes (still hot in the CPU's caches,
// as in the real reporter) is argv[2]:
//   making       nothing: the cost of making the spans (what the application's thread pays)
//   encode       Segment.encode() into a ProtoWriter, as the gRPC and Kafka reporters do (the late
//                mapping of the raw tags, then the bytes)
//   object       toSegmentObject() (the late mapping, then the plain SegmentObject)
//   protobufjs   toSegmentObject(), then protobuf.js's Type.encode(object).finish()
// Encoding per span is `encode - making`; protobuf.js's is `protobufjs - object` (bench/run.js).
// Warm-up, then ROUNDS rounds of TRACES traces; prints { case, nsPerSpan (median of rounds), rounds }.
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

function reportOf(kind) {
  const writer = new ProtoWriter();
  switch (kind) {
    case 'making':
      return () => 0;
    case 'encode':
      return (segment) => segment.encode(writer).length;
    case 'object':
      return (segment) => segment.toSegmentObject().spans.length;
    case 'protobufjs': {
      const Type = segmentType();
      return (segment) => Type.encode(segment.toSegmentObject()).finish().length;
    }
    default:
      throw new Error(`unknown encode case ${kind}`);
  }
}

const onClose = reportOf(impl);
let closed = 0;
let sink = 0;
const tracer = new SkyWalkingTracer({
  serviceName: 'bench',
  serviceInstance: 'bench-1',
  reporter: {
    report(segment) {
      closed++;
      sink += onClose(segment);
    },
    flush: async () => undefined,
    shutdown: async () => undefined,
    stats: () => ({}),
  },
});

function round() {
  closed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < TRACES; i++) openTracingTrace(tracer, opentracing.Tags, i);
  return Number(process.hrtime.bigint() - start);
}

round();
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const ns = round();
  if (closed !== TRACES) throw new Error(`${closed} of ${TRACES} segments closed`);
  rounds.push(ns / (TRACES * SPANS_PER_TRACE));
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({ case: impl, nsPerSpan: rounds[Math.floor(rounds.length / 2)], rounds, sink: sink > 0 }));
