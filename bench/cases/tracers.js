'use strict';
// One trace shape for every tracer under test, so the numbers compare like with like:
// a server root span with 3 tags and a log, a local child, and 3 client children with a peer and
// 3 tags each — 5 spans per trace. `make(impl, options)` returns
// { trace(i), flush(): Promise, shutdown(): Promise } for one of:
//   ours-ot        SkyWalkingTracer (OpenTracing) from dist/
//   ours-ot-grpcjs the same, its segment batches sent by grpc-js's unary call instead of http2-unary
//   otel-basic     OTel BasicTracerProvider with no span processor (the SDK's own cost)
//   otel-bsp-noop  BasicTracerProvider + BatchSpanProcessor + an exporter that discards
//   otel-ours      BasicTracerProvider + our SkyWalkingSpanProcessor
//   otel-otlp      BasicTracerProvider + BatchSpanProcessor + OTLP gRPC exporter (options.otlpUrl)
//   jaeger         jaeger-client with a reporter that discards
//   backend-js     skywalking-backend-js (the official Node agent) with its gRPC reporter
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const PEERS = ['10.0.0.1:5432', '10.0.0.2:8080', '10.0.0.3:6379'];
const SPANS_PER_TRACE = 5;

/** The trace shape through the OpenTracing API: the same calls for our tracer and jaeger-client. */
function openTracingTrace(tracer, Tags, i) {
  const root = tracer.startSpan('GET:/orders', {
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'http', [Tags.HTTP_METHOD]: 'GET' },
  });
  root.setTag(Tags.HTTP_URL, '/orders?id=' + i);
  root.log({ event: 'accepted', id: i });
  tracer.startSpan('orders.lookup', { childOf: root }).finish();
  for (let k = 0; k < 3; k++) {
    const [host, port] = PEERS[k].split(':');
    const c = tracer.startSpan('/backend', {
      childOf: root,
      tags: {
        [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
        [Tags.COMPONENT]: 'http',
        [Tags.PEER_HOSTNAME]: host,
        [Tags.PEER_PORT]: Number(port),
      },
    });
    c.setTag(Tags.HTTP_METHOD, 'GET');
    c.setTag(Tags.HTTP_STATUS_CODE, 200);
    c.finish();
  }
  root.setTag(Tags.HTTP_STATUS_CODE, 200);
  root.finish();
}

function oursOt(options) {
  const opentracing = require('opentracing');
  const { SkyWalkingTracer } = require(ROOT);
  const tracer = new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter: options.collector ? 'grpc' : 'none',
    collectorAddress: options.collector || undefined,
    ...(options.maxQueueSize ? { maxBufferSize: Math.ceil(options.maxQueueSize / SPANS_PER_TRACE) } : {}),
  });
  const { Tags } = opentracing;
  return {
    trace: (i) => openTracingTrace(tracer, Tags, i),
    flush: () => tracer.flush(),
    shutdown: () => tracer.shutdown(),
    stats: () => tracer.stats(),
  };
}

function otel(impl, options) {
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const processors = [];
  let ours;
  if (impl === 'otel-bsp-noop')
    processors.push(
      new BatchSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined }),
    );
  if (impl === 'otel-ours') {
    const { SkyWalkingSpanProcessor } = require(ROOT);
    ours = new SkyWalkingSpanProcessor({
      serviceName: 'bench',
      serviceInstance: 'bench-1',
      reporter: options.collector ? 'grpc' : 'none',
      collectorAddress: options.collector || undefined,
      ...(options.maxQueueSize ? { maxBufferSize: Math.ceil(options.maxQueueSize / SPANS_PER_TRACE) } : {}),
    });
    processors.push(ours);
  }
  if (impl === 'otel-otlp') {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
    // maxQueueSize: the default (2048) drops most spans of a burst; the max-throughput run raises it
    // so both pipelines deliver everything and their costs compare
    processors.push(
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: options.otlpUrl }),
        options.maxQueueSize ? { maxQueueSize: options.maxQueueSize } : undefined,
      ),
    );
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: processors,
  });
  const tracer = provider.getTracer('bench');
  const { SpanKind } = api;
  return {
    trace(i) {
      const root = tracer.startSpan('GET /orders', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'url.path': '/orders', 'http.route': '/orders' },
      });
      root.addEvent('accepted', { id: i });
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, root);
      tracer.startSpan('orders.lookup', {}, ctx).end();
      for (let k = 0; k < 3; k++) {
        const [host, port] = PEERS[k].split(':');
        const c = tracer.startSpan(
          'GET',
          {
            kind: SpanKind.CLIENT,
            attributes: { 'server.address': host, 'server.port': Number(port), 'http.request.method': 'GET' },
          },
          ctx,
        );
        c.setAttribute('http.response.status_code', 200);
        c.end();
      }
      root.setAttribute('http.response.status_code', 200);
      root.end();
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    stats: () => (ours && ours.stats ? ours.stats() : undefined),
  };
}

function jaeger() {
  const { Tracer, ConstSampler, NoopReporter } = require('jaeger-client');
  const opentracing = require('opentracing');
  const tracer = new Tracer('bench', new NoopReporter(), new ConstSampler(true));
  const { Tags } = opentracing;
  return {
    trace: (i) => openTracingTrace(tracer, Tags, i),
    flush: async () => undefined,
    shutdown: () => new Promise((r) => tracer.close(r)),
  };
}

function backendJs(options) {
  const agent = require('skywalking-backend-js').default;
  const { ContextManager } = require('skywalking-backend-js');
  const Tag = require('skywalking-backend-js/lib/Tag').default;
  // a closed port when measuring in-process: the agent queues, drops past its buffer, and retries
  agent.start({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    collectorAddress: options.collector || '127.0.0.1:9',
    ...(options.maxQueueSize ? { maxBufferSize: options.maxQueueSize } : {}),
  });
  return {
    trace(i) {
      const root = ContextManager.current.newEntrySpan('GET:/orders');
      root.start();
      root.component = { id: 49 };
      root.tag(Tag.httpMethod('GET'));
      root.tag(Tag.httpURL('/orders?id=' + i));
      root.log('event', 'accepted');
      const local = ContextManager.current.newLocalSpan('orders.lookup');
      local.start();
      local.stop();
      for (let k = 0; k < 3; k++) {
        const c = ContextManager.current.newExitSpan('/backend', { id: 2 });
        c.start();
        c.peer = PEERS[k];
        c.tag(Tag.httpMethod('GET'));
        c.tag(Tag.httpStatusCode(200));
        c.stop();
      }
      root.tag(Tag.httpStatusCode(200));
      root.stop();
    },
    flush: () => Promise.resolve(agent.flush()).catch(() => undefined),
    shutdown: async () => undefined,
  };
}

/**
 * For `ours-ot-grpcjs` (issue #17, item 8): the gRPC reporter with its `collectInSync` batches sent
 * by grpc-js's unary call on the reporter's own channel (one connection, as before http2-unary)
 * instead of by `Http2UnaryClient`; the bytes and the batching are the same. grpc-js needs the
 * message as one buffer: the serializer passes the batch through when its entries lie next to
 * each other in memory (one view), and concatenates them otherwise.
 */
function sendCollectionsOverGrpcJs() {
  const { GrpcReporter } = require(join(ROOT, 'dist', 'reporter', 'grpc'));
  const connect = GrpcReporter.prototype.connect;
  const NONE = Object.freeze({});
  const serialize = (parts) => (parts.length === 1 ? parts[0] : Buffer.concat(parts));
  GrpcReporter.prototype.connect = function () {
    const clients = connect.call(this);
    if (!clients || clients.collector.grpcJs) return clients;
    const trace = clients.trace;
    const metadata = () => this.metadata();
    clients.collector = {
      grpcJs: true,
      call(path, parts, _length, _headers, deadline, done) {
        trace.makeUnaryRequest(
          path,
          serialize,
          () => NONE,
          parts,
          metadata(),
          { deadline },
          (err) => done(err ? { code: err.code, details: err.details } : { code: 0, details: '' }),
        );
      },
      close() {},
    };
    return clients;
  };
}

function make(impl, options = {}) {
  switch (impl) {
    case 'ours-ot':
      return oursOt(options);
    case 'ours-ot-grpcjs':
      sendCollectionsOverGrpcJs();
      return oursOt(options);
    case 'otel-basic':
    case 'otel-bsp-noop':
    case 'otel-ours':
    case 'otel-otlp':
      return otel(impl, options);
    case 'jaeger':
      return jaeger(options);
    case 'backend-js':
      return backendJs(options);
    default:
      throw new Error(`unknown tracer ${impl}`);
  }
}

module.exports = { make, SPANS_PER_TRACE, openTracingTrace };
