// OpenTracing: an HTTP service that calls itself once, traced, then stops.
const http = require('node:http');
const { initGlobalTracer, globalTracer, FORMAT_HTTP_HEADERS, Tags } = require('opentracing');
const { SkyWalkingTracer } = require('skywalking-bridge/opentracing');

// reports to 127.0.0.1:11800 (`npm run collector`); SW_AGENT_COLLECTOR_BACKEND_SERVICES overrides
const skywalking = new SkyWalkingTracer({ serviceName: 'orders' }); // or SW_AGENT_NAME=orders
initGlobalTracer(skywalking);
const tracer = globalTracer();

const server = http.createServer((req, res) => {
  // server side: continue the caller's trace (extract gives null when there is none)
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, req.headers);
  const entry = tracer.startSpan(`${req.method}:${req.url}`, {
    childOf: parent ?? undefined,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.HTTP_METHOD]: req.method, [Tags.COMPONENT]: 'http' },
  });
  res.end('ok');
  entry.finish();
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  // client side: set the peer BEFORE inject, so the sw8 address and the span's peer agree
  const exit = tracer.startSpan('/orders', {
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
      [Tags.PEER_HOSTNAME]: '127.0.0.1',
      [Tags.PEER_PORT]: port,
      [Tags.COMPONENT]: 'http',
    },
  });
  const headers = {};
  tracer.inject(exit, FORMAT_HTTP_HEADERS, headers); // sw8, sw8-correlation, sw8-x
  const res = await fetch(`http://127.0.0.1:${port}/orders`, { headers });
  exit.setTag(Tags.HTTP_STATUS_CODE, res.status);
  exit.finish();
  server.close();
  await skywalking.shutdown(); // sends what is queued, within reportTimeoutMs
});
