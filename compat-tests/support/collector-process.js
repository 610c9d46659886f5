'use strict';
// Starts the embedded collector from dist/ with the options given as JSON in argv[2], for tests that
// need it in its own process. Prints `READY {"grpc":…,"http":…,"pid":…}`. On a stdin line `mem`, runs
// a full GC (node --expose-gc) and prints `MEM {rss, heapUsed, arrayBuffers}`. Stops on SIGTERM.
const { startCollector } = require('../../dist/collector');

const options = JSON.parse(process.argv[2] || '{}');
startCollector(options).then(
  (collector) => {
    process.stdout.write(
      `READY ${JSON.stringify({ grpc: collector.grpcAddress, http: collector.httpUrl, pid: process.pid })}\n`,
    );
    let buffered = '';
    process.stdin.on('data', (d) => {
      buffered += d;
      let i;
      while ((i = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, i).trim();
        buffered = buffered.slice(i + 1);
        if (line === 'mem') {
          if (typeof global.gc === 'function') global.gc();
          const m = process.memoryUsage();
          process.stdout.write(
            `MEM ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, stats: collector.stats() })}\n`,
          );
        }
      }
    });
    process.once('SIGTERM', () => collector.stop().then(() => process.exit(0)));
  },
  (err) => {
    process.stderr.write(`cannot start the collector: ${err && err.message}\n`);
    process.exit(1);
  },
);
