// A tracing file: load it before the application with
//   node --require ./logs-tracing.js logs-tracing-app.js
// npm install skywalking-bridge @opentelemetry/api @opentelemetry/sdk-node @opentelemetry/auto-instrumentations-node pino express
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { SkyWalkingLogRecordProcessor, SkyWalkingPropagator, SkyWalkingSpanProcessor } = require('skywalking-bridge');
const { autoInstrumentationsConfig } = require('skywalking-bridge/pino');

const spans = new SkyWalkingSpanProcessor({ serviceName: process.env.SW_AGENT_NAME ?? 'orders' });
const sdk = new NodeSDK({
  spanProcessors: [spans],
  textMapPropagator: new SkyWalkingPropagator(),
  logRecordProcessors: [new SkyWalkingLogRecordProcessor({ via: spans })],
  // the pino and winston instrumentations stamp SkyWalking's ids, and leave reporting to us
  instrumentations: [getNodeAutoInstrumentations(autoInstrumentationsConfig())],
});
sdk.start();
process.once('SIGTERM', () => sdk.shutdown().finally(() => process.exit(0)));
