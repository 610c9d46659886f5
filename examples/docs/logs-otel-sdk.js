// The OpenTelemetry Logs SDK: node logs-otel-sdk.js
// npm install skywalking-bridge @opentelemetry/api @opentelemetry/api-logs @opentelemetry/sdk-node
const { trace } = require('@opentelemetry/api');
const { SeverityNumber, logs } = require('@opentelemetry/api-logs');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { SkyWalkingLogRecordProcessor, SkyWalkingPropagator, SkyWalkingSpanProcessor } = require('skywalking-bridge');

const spans = new SkyWalkingSpanProcessor({ serviceName: process.env.SW_AGENT_NAME ?? 'stock' });
const sdk = new NodeSDK({
  spanProcessors: [spans],
  textMapPropagator: new SkyWalkingPropagator(),
  logRecordProcessors: [new SkyWalkingLogRecordProcessor({ via: spans })],
});
sdk.start();

const logger = logs.getLogger('stock');
trace.getTracer('stock').startActiveSpan('restock', (span) => {
  logger.emit({ severityNumber: SeverityNumber.WARN, body: 'stock low', attributes: { sku: 'A-1' } });
  span.end();
});
sdk.shutdown(); // sends the segment and the record
