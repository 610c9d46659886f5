'use strict';
// The walkthrough's server-2, written against OpenTracing's globalTracer():
// POST /user/info answers after a Local span. Run: PORT=8082 node examples/opentracing/server-2.js
// Env: PORT (0 = any free port), SW_AGENT_NAME (default server-2), SW_AGENT_COLLECTOR_BACKEND_SERVICES.
// With PG_URL (postgres://user@host:port/db) the lookup is a real query in an Exit span with the
// Database layer (`pg` must be installed); PG_SLOW_MS makes that query sleep so it shows as slow.
const http = require('node:http');
const opentracing = require('opentracing');
const { SkyWalkingTracer } = require('../..');

const skywalking = new SkyWalkingTracer({ serviceName: process.env.SW_AGENT_NAME || 'server-2' });
opentracing.initGlobalTracer(skywalking);

// winston, its records reported to SkyWalking beside the span they name (`span` in the meta)
const winston = require('winston');
const { SkyWalkingTransport, skywalkingFormat } = require('../../dist/entry/winston');
const logger = winston.createLogger({
  level: 'info',
  format: skywalkingFormat(),
  transports: [new SkyWalkingTransport({ via: skywalking })],
});

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
    lookup(local, user).then(
      (name) => {
        logger.info(`user ${user} is ${name}`, { span: local, user });
        local.finish();
        reply(200, { user, name, plan: 'pro' });
      },
      (err) => {
        logger.error('user lookup failed', { span: local, user, error: err.message });
        local.setTag(Tags.ERROR, true);
        local.finish();
        reply(500, { error: err.message });
      },
    );
  });
});

const pgUrl = process.env.PG_URL ? new URL(process.env.PG_URL) : undefined;
const pool = pgUrl ? new (require('pg').Pool)({ connectionString: pgUrl.href, max: 2 }) : undefined;
const slowMs = Number(process.env.PG_SLOW_MS || 0);
const SQL =
  slowMs > 0
    ? `SELECT $1::text AS id, 'Ada' AS name, pg_sleep(${slowMs / 1000})`
    : `SELECT $1::text AS id, 'Ada' AS name`;

/** The user's name: from PostgreSQL inside a client span when PG_URL is set, else after 5 ms. */
async function lookup(parent, user) {
  if (!pool) return new Promise((resolve) => setTimeout(() => resolve('Ada'), 5));
  const db = tracer.startSpan('PostgreSQL/query', {
    childOf: parent,
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
      [Tags.COMPONENT]: 'pg',
      [Tags.PEER_HOSTNAME]: pgUrl.hostname,
      [Tags.PEER_PORT]: Number(pgUrl.port || 5432),
      [Tags.DB_TYPE]: 'sql',
      [Tags.DB_INSTANCE]: pgUrl.pathname.slice(1),
      [Tags.DB_STATEMENT]: SQL,
    },
  });
  try {
    const result = await pool.query(SQL, [user]);
    return result.rows[0].name;
  } catch (err) {
    db.setTag(Tags.ERROR, true);
    db.log({ event: 'error', message: err.message });
    throw err;
  } finally {
    db.finish();
  }
}

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
  if (pool) pool.end().catch(() => undefined);
  skywalking.shutdown().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
