// Zero-code tracing + pino: run with
//   node --require skywalking-bridge/register logs-zero-code-pino.js
// npm install skywalking-bridge @opentelemetry/sdk-node @opentelemetry/auto-instrumentations-node pino express
// Configured by env: SW_AGENT_NAME, SW_AGENT_COLLECTOR_BACKEND_SERVICES (default 127.0.0.1:11800).
const express = require('express');
const pino = require('pino');
const { skywalkingDestination } = require('skywalking-bridge/pino');

// each line is reported from a worker thread under the span active when it is written
const logger = pino({ name: 'orders' }, skywalkingDestination());

const app = express();
app.get('/orders/:id', (req, res) => {
  logger.info({ orderId: req.params.id }, 'order read');
  res.json({ id: req.params.id });
});
const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on ${server.address().port}`);
});
