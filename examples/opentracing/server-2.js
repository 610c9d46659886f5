'use strict';
// The walkthrough's server-2, written against OpenTracing's globalTracer():
// POST /user/info answers after a Local span. Run: PORT=8082 node examples/opentracing/server-2.js
// Env: PORT (0 = any free port), SW_AGENT_NAME (default server-2), SW_AGENT_COLLECTOR_BACKEND_SERVICES.
const http = require('node:http');
const opentracing = require('opentracing');
const { SkyWalkingTracer } = require('../..');

const skywalking = new SkyWalkingTracer({ serviceName: process.env.SW_AGENT_NAME || 'server-2' });
opentracing.initGlobalTracer(skywalking);

const tracer = opentracing.globalTracer();
const { Tags, FORMAT_HTTP_HEADERS } = opentracing;

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, req.headers);
  const span = tracer.startSpan(`${req.method}:${path}`, {
    childOf: parent || undefined,
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER,
      [Tags.COMPONENT]: 'http',
      [Tags.HTTP_METHOD]: req.method,
      [Tags.HTTP_URL]: `http://${req.headers.host}${req.url}`,
    },
  });
  const reply = (status, body) => {
    span.setTag(Tags.HTTP_STATUS_CODE, status);
    if (status >= 500) span.setTag(Tags.ERROR, true);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    span.finish();
  };
  if (req.method !== 'POST' || path !== '/user/info') return reply(404, { error: 'not found' });
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const user = userIdOf(body);
    const local = tracer.startSpan('user.lookup', { childOf: span, tags: { 'user.id': user } });
    setTimeout(() => {
      local.finish();
      reply(200, { user, name: 'Ada', plan: 'pro' });
    }, 5);
  });
});

function userIdOf(body) {
  try {
    return String(JSON.parse(body).id ?? 'anonymous');
  } catch {
    return 'anonymous';
  }
}

server.listen(Number(process.env.PORT ?? 8082), '127.0.0.1', () => {
  console.log(`server-2 listening on ${server.address().port}`);
});

function stop() {
  server.close();
  skywalking.shutdown().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
