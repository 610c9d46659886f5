'use strict';
// An application that reports through its log stream: reporter 'line' writes each segment, log
// record, its properties and keep-alive as one marked line on stdout, between its own lines.
const { SkyWalkingTracer } = require('skywalking-bridge');

const tracer = new SkyWalkingTracer({ serviceName: 'checkout', reporter: 'line' });

const span = tracer.startSpan('POST /checkout', { tags: { 'span.kind': 'server' } });
console.log(`[INFO] [trace_id=${span.context().toTraceId()}] checkout started`);
tracer.reportLog({ body: 'payment accepted', level: 'info', span });
span.finish();

tracer.shutdown().then(() => console.log('[INFO] bye'));
