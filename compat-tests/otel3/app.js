'use strict';
// An app on the OpenTelemetry SDK 3.x line (sdk-node 0.30x, api 1.10) with our processor and
// propagator. ROLE=server: GET /hello answers "hi", tagging its span with an object-valued attribute
// (allowed from api 1.10 on). ROLE=client: one GET of TARGET_URL, then shuts the SDK down and ends.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { SkyWalkingPropagator, SkyWalkingSpanProcessor } = require('skywalking-bridge');

const sdk = new NodeSDK({
  spanProcessors: [new SkyWalkingSpanProcessor()],
  textMapPropagator: new SkyWalkingPropagator(),
  instrumentations: [new HttpInstrumentation()],
  metricReaders: [],
  logRecordProcessors: [],
});
sdk.start();

const http = require('node:http');
const { trace } = require('@opentelemetry/api');

if (process.env.ROLE === 'server') {
  const server = http.createServer((req, res) => {
    trace.getActiveSpan()?.setAttribute('order', { id: 7, items: ['a', 'b'] });
    res.end('hi');
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
  process.on('SIGTERM', () => sdk.shutdown().then(() => process.exit(0)));
} else {
  http.get(process.env.TARGET_URL, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => {
      console.log(`${res.statusCode} ${body}`);
      sdk.shutdown();
    });
  });
}
