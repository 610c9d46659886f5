// OpenTracing + winston: node logs-opentracing-winston.js
// npm install skywalking-bridge opentracing winston
const winston = require('winston');
const { SkyWalkingTracer } = require('skywalking-bridge');
const { SkyWalkingTransport, skywalkingFormat } = require('skywalking-bridge/winston');

const tracer = new SkyWalkingTracer({ serviceName: process.env.SW_AGENT_NAME ?? 'billing' });
const logger = winston.createLogger({
  // the ids of the span passed under `span` (else of the active OTel span), printed and reported
  format: winston.format.combine(skywalkingFormat(), winston.format.json()),
  transports: [new winston.transports.Console(), new SkyWalkingTransport({ via: tracer })],
});

async function main() {
  const span = tracer.startSpan('billing/charge', { tags: { 'span.kind': 'consumer' } });
  logger.info('charging order 7', { span, orderId: 7 });
  span.finish();
  await tracer.shutdown(); // sends the segment and the records
}
main();
