'use strict';
// The demo's `frontend`: a plain Node HTTP service traced by the official SkyWalking Node agent
// (skywalking-backend-js), standing in for the native-agent services of a mixed fleet.
// GET /trace calls server-1's GET /trace. Env: PORT (0 = any free port), SERVER1_URL,
// SW_AGENT_NAME (default frontend), SW_AGENT_INSTANCE, SW_AGENT_COLLECTOR_BACKEND_SERVICES.
const agent = require('skywalking-backend-js').default;

agent.start({
  serviceName: process.env.SW_AGENT_NAME || 'frontend',
  // the agent's own default is random; keep a readable one for the demo
  serviceInstance: process.env.SW_AGENT_INSTANCE || 'frontend-1',
});

// required after agent.start() so the agent's http plugin is in place
const http = require('node:http');

const server1 = new URL(process.env.SERVER1_URL || 'http://127.0.0.1:8081');

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (req.method !== 'GET' || path !== '/trace') {
    res.writeHead(404).end();
    return;
  }
  // http.request, not http.get: the agent's http plugin wraps http.request
  http
    .request(new URL('/trace', server1), { method: 'GET' }, (upstream) => {
      let body = '';
      upstream.on('data', (c) => (body += c));
      upstream.on('end', () => {
        res.writeHead(upstream.statusCode || 502, { 'content-type': 'application/json' });
        res.end(body);
      });
    })
    .on('error', (err) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: err.message }));
    })
    .end();
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`frontend listening on ${server.address().port}`);
});

function stop() {
  server.close();
  Promise.resolve(agent.flush())
    .catch(() => undefined)
    .finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
