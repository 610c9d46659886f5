// The application of logs-tracing.js: pino with the SkyWalking mixin and transport.
const express = require('express');
const pino = require('pino');
const { skywalkingMixin, spanSerializers } = require('skywalking-bridge/pino');

const logger = pino({
  name: 'orders',
  mixin: skywalkingMixin(), // the ids of the active span, in each line
  serializers: spanSerializers,
  // reported from pino's worker thread (options and SW_* env as everywhere)
  transport: { target: 'skywalking-bridge/pino', options: { serviceName: process.env.SW_AGENT_NAME ?? 'orders' } },
});

const app = express();
app.get('/orders/:id', (req, res) => {
  logger.info({ orderId: req.params.id }, 'order read');
  res.json({ id: req.params.id });
});
const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on ${server.address().port}`);
});
