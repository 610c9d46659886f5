'use strict';
// A counting collector for the end-to-end bench, run in its own process so its work is not
// charged to the app: it accepts SkyWalking segments (TraceSegmentReportService/collect, plus the
// management calls agents make) log records (LogReportService/collect), OTLP traces and OTLP logs over gRPC, and counts spans and records
// by walking the protobuf bytes — no decoding into objects. GET /count on its HTTP port answers
// { sw, otlp, swLogs, otlpLogs }; GET /reset zeroes them. Prints `grpc <port> http <port>`. GRPC_PORT fixes the gRPC
// port (the soak restarts it on the same address); on SIGTERM it prints `final {json}` first.
const grpc = require('@grpc/grpc-js');
const http = require('node:http');

const counts = { sw: 0, otlp: 0, swLogs: 0, otlpLogs: 0 };

/** Count occurrences of the field path (e.g. [1, 2, 2]) in a protobuf message. */
function countPath(buf, path, start = 0, end = buf.length) {
  let n = 0;
  let i = start;
  while (i < end) {
    let key = 0;
    let shift = 0;
    let b;
    do {
      b = buf[i++];
      key |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      while (buf[i++] & 0x80);
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      let len = 0;
      shift = 0;
      do {
        b = buf[i++];
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      if (field === path[0]) n += path.length === 1 ? 1 : countPath(buf, path.slice(1), i, i + len);
      i += len;
    } else return n; // groups are not used by these protocols
  }
  return n;
}

const raw = (b) => b;
const empty = () => Buffer.alloc(0);
const method = (path, requestStream) => ({
  path,
  requestStream,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: empty,
  responseDeserialize: raw,
});

const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService(
  {
    collect: method('/skywalking.v3.TraceSegmentReportService/collect', true),
    collectInSync: method('/skywalking.v3.TraceSegmentReportService/collectInSync', false),
  },
  {
    collect(call, cb) {
      call.on('data', (segment) => (counts.sw += countPath(segment, [3])));
      call.on('end', () => cb(null, {}));
      call.on('error', () => undefined);
    },
    collectInSync(call, cb) {
      counts.sw += countPath(call.request, [1, 3]);
      cb(null, {});
    },
  },
);
server.addService(
  {
    reportInstanceProperties: method('/skywalking.v3.ManagementService/reportInstanceProperties', false),
    keepAlive: method('/skywalking.v3.ManagementService/keepAlive', false),
  },
  { reportInstanceProperties: (_c, cb) => cb(null, {}), keepAlive: (_c, cb) => cb(null, {}) },
);
server.addService(
  { fetchConfigurations: method('/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations', false) },
  { fetchConfigurations: (_c, cb) => cb(null, {}) },
);
server.addService(
  { collect: method('/skywalking.v3.LogReportService/collect', true) },
  {
    collect(call, cb) {
      call.on('data', () => counts.swLogs++);
      call.on('end', () => cb(null, {}));
      call.on('error', () => undefined);
    },
  },
);
server.addService(
  { Export: method('/opentelemetry.proto.collector.logs.v1.LogsService/Export', false) },
  {
    Export(call, cb) {
      // resource_logs (1) -> scope_logs (2) -> log_records (2)
      counts.otlpLogs += countPath(call.request, [1, 2, 2]);
      cb(null, {});
    },
  },
);
server.addService(
  { Export: method('/opentelemetry.proto.collector.trace.v1.TraceService/Export', false) },
  {
    Export(call, cb) {
      counts.otlp += countPath(call.request, [1, 2, 2]);
      cb(null, {});
    },
  },
);

server.bindAsync(
  `127.0.0.1:${Number(process.env.GRPC_PORT) || 0}`,
  grpc.ServerCredentials.createInsecure(),
  (err, grpcPort) => {
    if (err) throw err;
    const api = http.createServer((req, res) => {
      if (req.url === '/reset') counts.sw = counts.otlp = counts.swLogs = counts.otlpLogs = 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
    });
    api.listen(0, '127.0.0.1', () => console.log(`grpc ${grpcPort} http ${api.address().port}`));
  },
);
process.on('SIGTERM', () => {
  process.stdout.write(`final ${JSON.stringify(counts)}\n`, () => process.exit(0));
});
// never outlive the bench that started us
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
