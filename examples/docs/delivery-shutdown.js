'use strict';
// Flush and shut down before the process ends: both resolve within reportTimeoutMs whatever the
// collector does (up, down, silent), and every segment ends in exactly one counter.
const { SkyWalkingTracer } = require('skywalking-bridge');

const tracer = new SkyWalkingTracer({ serviceName: 'orders', reportTimeoutMs: 2000 });

async function main() {
  tracer.startSpan('nightly-job').finish();
  await tracer.flush(); // sent, or still queued after 2 s
  await tracer.shutdown(); // flush again, then release; never rejects
  const { queued, sent, dropped, lost } = tracer.stats();
  console.log(JSON.stringify({ queued, sent, dropped, lost }));
  process.exitCode = sent === 1 ? 0 : 1;
}

main();
