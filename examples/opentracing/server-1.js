'use strict';
// The walkthrough's server-1, written against OpenTracing's globalTracer():
// GET /trace calls server-2's POST /user/info twice, inside a Local span.
// Env: PORT (0 = any free port), SERVER2_URL (default http://127.0.0.1:8082), SW_AGENT_NAME (default server-1).
const http = require('node:http');
const opentracing = require('opentracing');
const { SkyWalkingTracer } = require('../..');

const skywalking = new SkyWalkingTracer({ serviceName: process.env.SW_AGENT_NAME || 'server-1' });
opentracing.initGlobalTracer(skywalking);

const tracer = opentracing.globalTracer();
const { Tags, FORMAT_HTTP_HEADERS } = opentracing;
const server2 = new URL(process.env.SERVER2_URL || 'http://127.0.0.1:8082');

/** POST /user/info on server-2 inside an Exit span whose peer is the address we call. */
function callUserInfo(parent, id) {
  const span = tracer.startSpan('/user/info', {
    childOf: parent,
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
      [Tags.COMPONENT]: 'http',
      [Tags.PEER_HOSTNAME]: server2.hostname,
      [Tags.PEER_PORT]: Number(server2.port),
      [Tags.HTTP_METHOD]: 'POST',
      [Tags.HTTP_URL]: new URL('/user/info', server2).href,
    },
  });
  const headers = { 'content-type': 'application/json' };
  tracer.inject(span, FORMAT_HTTP_HEADERS, headers);
  return new Promise((resolve) => {
    const req = http.request(new URL('/user/info', server2), { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        span.setTag(Tags.HTTP_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 400) span.setTag(Tags.ERROR, true);
        span.finish();
        resolve(body);
      });
    });
    req.on('error', (err) => {
      span.setTag(Tags.ERROR, true);
      span.log({ event: 'error', 'error.object': err });
      span.finish();
      resolve(JSON.stringify({ error: err.message }));
    });
    req.end(JSON.stringify({ id }));
  });
}

const server = http.createServer(async (req, res) => {
  const path = (req.url || '/').split('?')[0];
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, req.headers);
  const span = tracer.startSpan(`${req.method}:${path}`, {
    childOf: parent || undefined,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'http', [Tags.HTTP_METHOD]: req.method },
  });
  if (req.method !== 'GET' || path !== '/trace') {
    span.setTag(Tags.HTTP_STATUS_CODE, 404);
    res.writeHead(404).end();
    return span.finish();
  }
  const local = tracer.startSpan('fetch-users', { childOf: span });
  const first = await callUserInfo(local, 1);
  const second = await callUserInfo(local, 2);
  local.finish();
  span.setTag(Tags.HTTP_STATUS_CODE, 200);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`[${first},${second}]`);
  span.finish();
});

server.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  console.log(`server-1 listening on ${server.address().port}`);
});

function stop() {
  server.close();
  skywalking.shutdown().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
