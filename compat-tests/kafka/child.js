'use strict';
// An application in its own process that reports through Kafka, configured by env only
// (SW_BRIDGE_REPORTER=kafka, SW_KAFKA_*), driven by its parent over IPC (child_process.fork):
//   { cmd: 'report', n, prefix }        -> n one-span traces named `<prefix>-<i>`; replies { reported }
//   { cmd: 'stream', n, every, perTick } -> n traces, perTick every `every` ms; replies when all are reported
//   { cmd: 'flush', ms }                -> flush(ms); replies { stats }
//   { cmd: 'flushUntilSent', sent, ms } -> flush until stats().sent >= sent or ms pass; replies { stats }
//   { cmd: 'flushUntilEmpty', ms }      -> flush until nothing is queued or ms pass; replies { stats }
//   { cmd: 'leave' }                    -> replies, then lets go of the parent without shutdown()
//   { cmd: 'shutdown', ms }             -> shutdown(ms); replies { stats } and exits 0
// Every reply carries the reporter's stats. Runs the built library (dist/).
const { SkyWalkingTracer } = require('../../dist/entry');

const tracer = new SkyWalkingTracer();
let reported = 0;

function reportOne(prefix, i) {
  const span = tracer.startSpan(`${prefix}-${i}`);
  span.setTag('i', String(i));
  span.finish();
  reported++;
}

const stats = () => tracer.bridge.stats();
const reply = (msg) => process.send({ ...msg, reported, stats: stats() });

process.on('message', async (msg) => {
  try {
    switch (msg.cmd) {
      case 'report':
        for (let i = 0; i < msg.n; i++) reportOne(msg.prefix, i);
        reply({ cmd: 'report' });
        break;
      case 'stream': {
        let i = 0;
        await new Promise((resolve) => {
          const timer = setInterval(() => {
            for (let k = 0; k < msg.perTick && i < msg.n; k++, i++) reportOne(msg.prefix, i);
            if (i % (msg.perTick * 10) === 0) process.send({ cmd: 'progress', reported, stats: stats() });
            if (i >= msg.n) {
              clearInterval(timer);
              resolve();
            }
          }, msg.every);
        });
        reply({ cmd: 'stream' });
        break;
      }
      case 'flush':
        await tracer.bridge.flush(msg.ms);
        reply({ cmd: 'flush' });
        break;
      case 'flushUntilSent': {
        const deadline = Date.now() + msg.ms;
        while (stats().sent < msg.sent && Date.now() < deadline)
          await tracer.bridge.flush(Math.min(2000, deadline - Date.now()));
        reply({ cmd: 'flushUntilSent' });
        break;
      }
      case 'flushUntilEmpty': {
        const deadline = Date.now() + msg.ms;
        while (stats().queued > 0 && Date.now() < deadline)
          await tracer.bridge.flush(Math.min(2000, deadline - Date.now()));
        reply({ cmd: 'flushUntilEmpty' });
        break;
      }
      case 'leave':
        // the application ends without calling shutdown(): nothing of ours may keep it alive
        reply({ cmd: 'leave' });
        process.disconnect();
        break;
      case 'shutdown':
        await tracer.bridge.shutdown(msg.ms);
        reply({ cmd: 'shutdown' });
        process.disconnect();
        break;
      default:
        reply({ cmd: 'unknown' });
    }
  } catch (err) {
    process.send({ cmd: 'error', error: String(err && err.stack) });
  }
});
process.send({ cmd: 'ready', reported, stats: stats() });
