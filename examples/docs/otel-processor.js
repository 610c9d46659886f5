// OpenTelemetry with our span processor: an HTTP service that calls itself once, then stops.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { SkyWalkingSpanProcessor, SkyWalkingPropagator } = require('skywalking-bridge/opentelemetry');

// reports to 127.0.0.1:11800 (`npm run collector`); SW_AGENT_COLLECTOR_BACKEND_SERVICES overrides
const sdk = new NodeSDK({
  spanProcessors: [new SkyWalkingSpanProcessor({ serviceName: 'orders' })], // or SW_AGENT_NAME
  textMapPropagator: new SkyWalkingPropagator(), // sw8 on every outgoing call
  instrumentations: [new HttpInstrumentation()],
  metricReaders: [], // NodeSDK otherwise exports OTLP metrics and logs to localhost:4318
  logRecordProcessors: [],
});
sdk.start();

// required after sdk.start(), so the instrumentation can patch it
const http = require('node:http');

const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  http.get(`http://127.0.0.1:${port}/orders`, (res) => {
    res.resume();
    res.on('end', async () => {
      server.close();
      await sdk.shutdown(); // sends what is queued, within reportTimeoutMs
    });
  });
});
