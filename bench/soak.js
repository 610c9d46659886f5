'use strict';
// Soak: mixed traffic (our OpenTracing tracer and the OTel SDK with our span processor, half each,
// 5-span traces from bench/cases/tracers.js) for --minutes, against bench/count-collector.js,
// which is stopped (SIGTERM, by PID) for --down seconds of every --cycle seconds and restarted on
// the same port. RSS, heapUsed and arrayBuffers of this process are sampled every --sample
// seconds (no forced GC: what an operator would see). At the end: a table per window (up/down)
// with min/median/max of each, then the accounting: per tracer made = sent + dropped + lost +
// queued, and the collector's count (spans / 5) between sent and sent + lost.
//
//   node bench/soak.js --minutes 30 [--rate 2000 spans/s] [--cycle 300] [--down 180] [--sample 5] [--json out.json]
//
// Not part of CI (`npm run bench` does not run it): it takes as long as you ask.
const { spawn, execFileSync } = require('node:child_process');
const { join } = require('node:path');
const net = require('node:net');
const fs = require('node:fs');

const HERE = __dirname;
const ROOT = join(HERE, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const MINUTES = Number(arg('minutes', 30));
const RATE = Number(arg('rate', 2000)); // spans/s, both front-ends together
const CYCLE_S = Number(arg('cycle', 300));
const DOWN_S = Number(arg('down', 180));
const SAMPLE_S = Number(arg('sample', 5));
const JSON_OUT = arg('json', undefined);
const SPANS = 5;

if (!fs.existsSync(join(ROOT, 'dist', 'entry', 'index.js')) || process.argv.includes('--build')) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
}
const { make } = require('./cases/tracers');
const log = (m) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start the counting collector on `port`; resolves { child, stop() -> final counts }. */
function startCollector(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'count-collector.js')], {
      env: { ...process.env, GRPC_PORT: String(port) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const exited = new Promise((ok) => child.once('exit', ok));
    child.stdout.on('data', (d) => {
      out += d;
      if (/grpc (\d+) http (\d+)/.test(out)) resolve({ child, stop });
    });
    child.once('exit', (code) => reject(new Error(`count collector exited ${code} before listening:\n${out}`)));
    async function stop() {
      child.kill('SIGTERM');
      await exited;
      const m = /final (\{.*\})/.exec(out);
      if (!m) throw new Error(`count collector gave no final count:\n${out}`);
      return JSON.parse(m[1]);
    }
  });
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const mb = (n) => (n / 1048576).toFixed(1);

async function main() {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let collector = await startCollector(port);
  const received = { sw: 0 };
  const ot = make('ours-ot', { collector: address });
  const otel = make('otel-ours', { collector: address });
  const fronts = { opentracing: ot, opentelemetry: otel };
  const made = { opentracing: 0, opentelemetry: 0 };

  const t0 = Date.now();
  const endAt = t0 + MINUTES * 60_000;
  const tracesPerSec = RATE / SPANS;
  let traces = 0;
  const traffic = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) * tracesPerSec) / 1000);
    while (traces < due) {
      if (traces % 2 === 0) {
        ot.trace(traces);
        made.opentracing++;
      } else {
        otel.trace(traces);
        made.opentelemetry++;
      }
      traces++;
    }
  }, 10);

  // windows: up for CYCLE_S - DOWN_S, then down for DOWN_S, repeated
  const windows = [];
  let current = { state: 'up', from: 0, samples: [] };
  windows.push(current);
  const sample = () => {
    const m = process.memoryUsage();
    const s1 = ot.stats();
    const s2 = otel.stats();
    current.samples.push({
      t: Date.now() - t0,
      rss: m.rss,
      heapUsed: m.heapUsed,
      arrayBuffers: m.arrayBuffers,
      queued: s1.queued + s2.queued,
      dropped: s1.dropped + s2.dropped,
    });
  };
  const sampler = setInterval(sample, SAMPLE_S * 1000);
  log(
    `${MINUTES} min at ${RATE} spans/s (${tracesPerSec} traces/s, half OpenTracing, half OTel); collector ${address} down ${DOWN_S} s of every ${CYCLE_S} s; sample every ${SAMPLE_S} s`,
  );

  const upFor = (CYCLE_S - DOWN_S) * 1000;
  for (let cycleStart = t0; Date.now() < endAt; cycleStart += CYCLE_S * 1000) {
    await sleepUntil(Math.min(endAt, cycleStart + upFor));
    if (Date.now() >= endAt) break;
    received.sw += (await collector.stop()).sw;
    current = { state: 'down', from: Date.now() - t0, samples: [] };
    windows.push(current);
    log(
      `collector stopped (${(current.from / 60000).toFixed(1)} min); received so far ${received.sw / SPANS} segments`,
    );
    await sleepUntil(Math.min(endAt, cycleStart + CYCLE_S * 1000));
    collector = await startCollector(port);
    current = { state: 'up', from: Date.now() - t0, samples: [] };
    windows.push(current);
    log(`collector restarted (${(current.from / 60000).toFixed(1)} min)`);
  }
  clearInterval(traffic);
  clearInterval(sampler);
  sample();
  if (collector.child.exitCode !== null) collector = await startCollector(port);
  await Promise.all([ot.shutdown(), otel.shutdown()]);
  received.sw += (await collector.stop()).sw;
  const minutes = (Date.now() - t0) / 60000;

  const lines = [];
  lines.push(
    `Soak: ${minutes.toFixed(1)} min, ${RATE} spans/s (half OpenTracing, half OTel), collector down ${DOWN_S} s of every ${CYCLE_S} s, sampled every ${SAMPLE_S} s (no forced GC)`,
  );
  lines.push('');
  lines.push(
    '| window | minutes | collector | RSS MB min / median / max | heapUsed MB min / median / max | arrayBuffers MB min / median / max | queued max | dropped in window |',
  );
  lines.push('|---|---|---|---|---|---|---|---|');
  let prevDropped = 0;
  windows.forEach((w, i) => {
    if (w.samples.length === 0) return;
    const col = (k) =>
      `${mb(Math.min(...w.samples.map((s) => s[k])))} / ${mb(
        quantile(
          w.samples.map((s) => s[k]),
          0.5,
        ),
      )} / ${mb(Math.max(...w.samples.map((s) => s[k])))}`;
    const last = w.samples[w.samples.length - 1];
    const to = (last.t / 60000).toFixed(1);
    lines.push(
      `| ${i + 1} | ${(w.from / 60000).toFixed(1)}–${to} | ${w.state} | ${col('rss')} | ${col('heapUsed')} | ${col('arrayBuffers')} | ${Math.max(...w.samples.map((s) => s.queued))} | ${last.dropped - prevDropped} |`,
    );
    prevDropped = last.dropped;
  });
  lines.push('');
  lines.push('| front-end | made | sent | dropped | lost | queued | sent + dropped + lost + queued |');
  lines.push('|---|---|---|---|---|---|---|');
  let sent = 0;
  let lost = 0;
  let ok = true;
  for (const [name, f] of Object.entries(fronts)) {
    const s = f.stats();
    const sum = s.sent + s.dropped + s.lost + s.queued;
    ok = ok && sum === made[name];
    sent += s.sent;
    lost += s.lost;
    lines.push(
      `| ${name} | ${made[name]} | ${s.sent} | ${s.dropped} | ${s.lost} | ${s.queued} | ${sum} ${sum === made[name] ? '(= made)' : '(≠ made!)'} |`,
    );
  }
  const got = received.sw / SPANS;
  ok = ok && got >= sent && got <= sent + lost;
  lines.push('');
  lines.push(
    `collector received ${got} segments (${received.sw} spans): ${got >= sent && got <= sent + lost ? 'between sent and sent + lost, as it must be' : 'OUTSIDE [sent, sent + lost]!'}`,
  );
  console.log(lines.join('\n'));
  if (JSON_OUT)
    fs.writeFileSync(JSON_OUT, JSON.stringify({ minutes, RATE, CYCLE_S, DOWN_S, windows, made, received }, null, 1));
  process.exitCode = ok ? 0 : 1;
}

function sleepUntil(at) {
  return new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
