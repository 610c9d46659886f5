'use strict';
// An app on the OpenTelemetry SDK 3.x line (sdk-node 0.30x, api 1.10, sdk-logs 3.x) with our span
// processor, propagator and log record processor. ROLE=server: GET /hello answers "hi", tagging its
// span with an object-valued attribute (allowed from api 1.10 on) and emitting one log record
// through the Logs API of api 1.10 while the span is active. ROLE=client: one GET of TARGET_URL, then shuts the SDK down and ends.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { SkyWalkingLogRecordProcessor, SkyWalkingPropagator, SkyWalkingSpanProcessor } = require('skywalking-bridge');

const spans = new SkyWalkingSpanProcessor();
const sdk = new NodeSDK({
  spanProcessors: [spans],
  textMapPropagator: new SkyWalkingPropagator(),
  instrumentations: [new HttpInstrumentation()],
  metricReaders: [],
  logRecordProcessors: [new SkyWalkingLogRecordProcessor({ via: spans })],
});
sdk.start();

const http = require('node:http');
const { logs, trace } = require('@opentelemetry/api');

if (process.env.ROLE === 'server') {
  const server = http.createServer((req, res) => {
    trace.getActiveSpan()?.setAttribute('order', { id: 7, items: ['a', 'b'] });
    logs.getLogger('orders.http', '3.0.0').emit({
      body: 'order 7 answered',
      severityNumber: 9,
      severityText: 'INFO',
      timestamp: 1_700_000_000_000,
      attributes: { orderId: 7 },
    });
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
