// OpenTelemetry with our trace exporter, for setups that take only an exporter.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { trace, SpanKind } = require('@opentelemetry/api');
const { SkyWalkingTraceExporter } = require('skywalking-bridge/opentelemetry');

// reports to 127.0.0.1:11800 (`npm run collector`); SW_AGENT_COLLECTOR_BACKEND_SERVICES overrides
const sdk = new NodeSDK({
  traceExporter: new SkyWalkingTraceExporter({ serviceName: 'orders' }), // or SW_AGENT_NAME
  metricReaders: [], // NodeSDK otherwise exports OTLP metrics and logs to localhost:4318
  logRecordProcessors: [],
});
sdk.start();

const tracer = trace.getTracer('orders');
tracer.startActiveSpan('GET:/orders', { kind: SpanKind.SERVER }, (entry) => {
  tracer.startActiveSpan('load-orders', (local) => local.end());
  entry.end();
});

sdk.shutdown(); // exports the last batch, then shuts the exporter down
