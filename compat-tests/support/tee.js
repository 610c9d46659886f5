'use strict';
// A recording gRPC proxy for the oracle check: agents report to it, it forwards every call to the
// real OAP byte for byte (the OAP answers them as it would directly) and keeps a decoded copy of
// the segments, so the same segments can be run through our collector's analysis and compared with
// what the OAP made of them.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const { PROTO_FILES, LOADER_OPTIONS } = require(join(ROOT, 'dist', 'protocol', 'loader'));

const raw = (b) => b;
/** Every agent-facing call the agents of the scenario make: [path, client streaming]. */
const CALLS = [
  ['/skywalking.v3.TraceSegmentReportService/collect', true],
  ['/skywalking.v3.TraceSegmentReportService/collectInSync', false],
  ['/skywalking.v3.ManagementService/reportInstanceProperties', false],
  ['/skywalking.v3.ManagementService/keepAlive', false],
  ['/skywalking.v3.LogReportService/collect', true],
  ['/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations', false],
];

/** Start a tee in front of `oapAddress`; resolves { address, segments(), stop() }. */
async function startTee(oapAddress) {
  const defs = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
  const segmentOf = defs['skywalking.v3.TraceSegmentReportService'].collect.requestDeserialize;
  const collectionOf = defs['skywalking.v3.TraceSegmentReportService'].collectInSync.requestDeserialize;
  const segments = [];
  const upstream = new grpc.Client(oapAddress, grpc.credentials.createInsecure());
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const service = {};
  const handlers = {};
  for (const [path, stream] of CALLS) {
    const name = path.split('/').pop() + (stream ? 'Stream' : '') + path.length;
    service[name] = {
      path,
      requestStream: stream,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    };
    handlers[name] = stream
      ? (call, cb) => {
          const out = upstream.makeClientStreamRequest(path, raw, raw, call.metadata, (err, res) => cb(err, res));
          call.on('data', (chunk) => {
            if (path.endsWith('TraceSegmentReportService/collect')) segments.push(segmentOf(chunk));
            out.write(chunk);
          });
          call.on('end', () => out.end());
          call.on('error', () => out.cancel());
        }
      : (call, cb) => {
          if (path.endsWith('collectInSync')) segments.push(...(collectionOf(call.request).segments || []));
          upstream.makeUnaryRequest(path, raw, raw, call.request, call.metadata, (err, res) => cb(err, res));
        };
  }
  server.addService(service, handlers);
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    segments: () => [...segments],
    stop: () =>
      new Promise((resolve) => {
        upstream.close();
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}

module.exports = { startTee };
