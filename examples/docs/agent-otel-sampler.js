'use strict';
// SkyWalking's sampling in the OpenTelemetry SDK: node examples/docs/agent-otel-sampler.js
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { trace } = require('@opentelemetry/api');
const sw = require('skywalking-bridge/opentelemetry');

const sampler = new sw.SkyWalkingSampler({ sampleNPer3Secs: 5, traceIgnorePath: '/health/**' });
const sdk = new NodeSDK({
  serviceName: 'orders',
  sampler,
  spanProcessors: [new sw.SkyWalkingSpanProcessor()],
  textMapPropagator: new sw.SkyWalkingPropagator(),
});
sdk.start();

const tracer = trace.getTracer('example');
for (let i = 0; i < 20; i++) tracer.startSpan(`job ${i}`).end();
const health = tracer.startSpan('GET', { kind: 1, attributes: { 'url.path': '/health/live' } });
console.log(`health check recording: ${health.isRecording()}`); // -> false
health.end();
const { sampled, notSampled, ignoredPath } = sampler.stats();
console.log(`sampled ${sampled}, not sampled ${notSampled}, ignored ${ignoredPath}`);
// -> sampled 5, not sampled 15, ignored 1

sdk.shutdown();
