#!/usr/bin/env node
'use strict';
// How the Kafka client was chosen (README, "Kafka"): kafkajs and @platformatic/kafka produce the
// same bytes to a real broker (broker.js), each in its own fresh process; we measure records/s and
// the producing process's CPU (user+system) per record, then read every record back with the same
// client and compare keys and values byte for byte (correctness with a current broker).
//
//   npm i --no-save kafkajs@2.2.4 @platformatic/kafka@1.35.0
//   node compat-tests/kafka/clients-bench.js [records=50000] [bytes=700] [batch=500]
//
// Not part of any test run: it needs both clients, and the library depends on one.
const { spawnSync } = require('node:child_process');
const { randomBytes, createHash } = require('node:crypto');
const { startBroker } = require('./broker');

const numbers = process.argv.slice(process.argv[2] === '--child' ? 3 : 2);
const [N, SIZE, BATCH] = [Number(numbers[0] ?? 50_000), Number(numbers[1] ?? 700), Number(numbers[2] ?? 500)];

/** Deterministic payloads: record i = sha256(i) repeated to SIZE bytes; key = `seg-<i>`. */
function record(i) {
  const h = createHash('sha256').update(String(i)).digest();
  const value = Buffer.alloc(SIZE);
  for (let o = 0; o < SIZE; o += h.length) h.copy(value, o);
  return { key: Buffer.from(`seg-${i}`), value };
}

async function child(client, bootstrap, topic) {
  const records = Array.from({ length: N }, (_, i) => record(i));
  let produce;
  let close;
  let consumeAll;
  if (client === 'kafkajs') {
    const { Kafka, logLevel } = require('kafkajs');
    const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    produce = (batch) => producer.send({ topic, acks: 1, messages: batch });
    close = () => producer.disconnect();
    consumeAll = async () => {
      const consumer = kafka.consumer({ groupId: `bench-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got = [];
      await new Promise((resolve) => {
        consumer.run({
          eachMessage: async ({ message }) => {
            got.push(message);
            if (got.length === N) resolve();
          },
        });
      });
      await consumer.disconnect();
      return got;
    };
  } else {
    const { Producer, Consumer, Admin } = require('@platformatic/kafka');
    const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [bootstrap] });
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await admin.close();
    const producer = new Producer({
      clientId: 'bench',
      bootstrapBrokers: [bootstrap],
      acks: 1,
      autocreateTopics: false,
    });
    produce = (batch) => producer.send({ messages: batch.map((m) => ({ topic, key: m.key, value: m.value })) });
    close = () => producer.close();
    consumeAll = async () => {
      const consumer = new Consumer({ groupId: `bench-${topic}`, clientId: 'bench-c', bootstrapBrokers: [bootstrap] });
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      const got = [];
      for await (const m of stream) {
        got.push(m);
        if (got.length === N) break;
      }
      await stream.close();
      await consumer.close(true);
      return got;
    };
  }
  // warm up (connections, metadata, JIT) on 1 batch that is not measured
  await produce(records.slice(0, BATCH));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const inFlight = new Set();
  for (let i = BATCH; i < N; i += BATCH) {
    const p = produce(records.slice(i, Math.min(N, i + BATCH))).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const measured = N - BATCH;
  await close();
  const got = await consumeAll();
  // order across in-flight batches is not promised; every key once, with its exact value
  let mismatches = 0;
  let outOfOrder = 0;
  const seen = new Set();
  got.forEach((m, i) => {
    const key = Buffer.from(m.key).toString();
    const n = Number(key.slice(4));
    if (n !== i) outOfOrder++;
    if (seen.has(n) || !(n >= 0 && n < N) || !Buffer.from(m.value).equals(records[n].value)) mismatches++;
    seen.add(n);
  });
  return {
    client,
    records: measured,
    recordsPerSec: Math.round(measured / (wallMs / 1000)),
    cpuUsPerRecord: +((cpu.user + cpu.system) / measured).toFixed(2),
    wallMs: Math.round(wallMs),
    readBack: got.length,
    mismatches,
    outOfOrder,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

async function main() {
  if (process.argv[2] === '--child') {
    const [client, bootstrap, topic] = process.argv.slice(6);
    const result = await child(client, bootstrap, topic);
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0);
  }
  const broker = await startBroker({ heap: '512m' });
  try {
    const results = [];
    for (const round of [1, 2]) {
      for (const client of ['kafkajs', '@platformatic/kafka']) {
        const topic = `bench-${client.replace(/\W/g, '')}-${round}-${randomBytes(3).toString('hex')}`;
        const res = spawnSync(
          process.execPath,
          [__filename, '--child', String(N), String(SIZE), String(BATCH), client, broker.bootstrap, topic],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 },
        );
        const line = (res.stdout || '').trim().split('\n').pop();
        const r = line ? JSON.parse(line) : { client, error: `exit ${res.status}` };
        r.round = round;
        results.push(r);
        console.log(JSON.stringify(r));
      }
    }
  } finally {
    await broker.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
