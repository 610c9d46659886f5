'use strict';
// The walkthrough's server-1 with OpenTelemetry: NodeSDK with the http and express
// instrumentations, our span processor and propagator. GET /trace calls server-2's
// POST /user/info twice inside a span of its own.
// Env: PORT (0 = any free port), SERVER2_URL (default http://127.0.0.1:8082), SW_AGENT_NAME
// (default server-1), SW_AGENT_COLLECTOR_BACKEND_SERVICES.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { SkyWalkingSpanProcessor, SkyWalkingPropagator } = require('../..');

const processor = new SkyWalkingSpanProcessor({ serviceName: process.env.SW_AGENT_NAME || 'server-1' });
const sdk = new NodeSDK({
  spanProcessors: [processor],
  textMapPropagator: new SkyWalkingPropagator(),
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  // NodeSDK otherwise exports OTLP metrics and logs to localhost:4318, retrying for ~8 s at shutdown
  metricReaders: [],
  logRecordProcessors: [],
});
sdk.start();

// pino: our mixin puts the SkyWalking ids of the active span into each line, our transport reports
// the lines to SkyWalking from pino's worker thread (no gRPC work on this thread)
const pino = require('pino');
const { skywalkingMixin } = require('../../dist/entry/pino');
const logger = pino(
  { name: 'server-1', mixin: skywalkingMixin() },
  pino.transport({
    target: require.resolve('../../dist/entry/pino'),
    options: { serviceName: process.env.SW_AGENT_NAME || 'server-1' },
  }),
);

// required after sdk.start() so the instrumentations can patch them
const http = require('node:http');
const express = require('express');
const { trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('server-1');
const server2 = new URL(process.env.SERVER2_URL || 'http://127.0.0.1:8082');

function callUserInfo(id) {
  return new Promise((resolve) => {
    const req = http.request(
      new URL('/user/info', server2),
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', (err) => resolve(JSON.stringify({ error: err.message })));
    req.end(JSON.stringify({ id }));
  });
}

const app = express();
app.get('/trace', (req, res) => {
  tracer.startActiveSpan('fetch-users', async (span) => {
    const first = await callUserInfo(1);
    const second = await callUserInfo(2);
    logger.info({ users: 2 }, 'fetched the users');
    span.end();
    res.type('application/json').send(`[${first},${second}]`);
  });
});

const server = app.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  console.log(`server-1 listening on ${server.address().port}`);
});

function stop() {
  server.close();
  // pino flushes its transport at exit (the worker reports what it has within 3 s)
  sdk.shutdown().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
