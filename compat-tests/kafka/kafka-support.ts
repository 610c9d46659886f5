/**
 * Reading what reached the test broker, with the same client the reporter uses (@platformatic/kafka):
 * topics created and waited for (a leader elected), end offsets, and every record of a topic.
 */
import { randomBytes } from 'node:crypto';
import { Admin, Consumer, Producer } from '@platformatic/kafka';

/* eslint-disable @typescript-eslint/no-require-imports */
const { waitUntil } = require('../support/process') as {
  waitUntil: <T>(check: () => T | Promise<T>, ms: number, what: string, everyMs?: number) => Promise<T>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface ReadRecord {
  topic: string;
  key: string;
  value: Buffer;
  offset: bigint;
}

/** Create the topics (one partition each unless told) and wait until each partition has a leader. */
export async function createTopics(bootstrap: string, topics: string[], partitions = 1): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
  const producer = new Producer({ clientId: 'test-meta', bootstrapBrokers: [bootstrap], autocreateTopics: false });
  try {
    await waitUntil(
      async () => {
        const m = await producer.metadata({ topics, forceUpdate: true });
        return topics.every((t) => {
          const ps = m.topics.get(t)?.partitions ?? [];
          return ps.length === partitions && ps.every((p) => (p?.leader ?? -1) >= 0);
        });
      },
      30_000,
      `leaders for ${topics.join(', ')}`,
      100,
    );
  } finally {
    await producer.close();
  }
}

/** The end offset (records written) of partition 0 of each topic. */
export async function endOffsets(bootstrap: string, topics: string[]): Promise<Map<string, number>> {
  const consumer = new Consumer({
    groupId: `test-${randomBytes(4).toString('hex')}`,
    clientId: 'test-offsets',
    bootstrapBrokers: [bootstrap],
  });
  try {
    const offsets = await consumer.listOffsets({ topics, timestamp: -1n });
    return new Map(topics.map((t) => [t, Number(offsets.get(t)?.[0] ?? 0n)]));
  } finally {
    await consumer.close(true);
  }
}

/** The end offset (records written) of each partition of `topic`, in partition order. */
export async function partitionEnds(bootstrap: string, topic: string): Promise<number[]> {
  const consumer = new Consumer({
    groupId: `test-${randomBytes(4).toString('hex')}`,
    clientId: 'test-offsets',
    bootstrapBrokers: [bootstrap],
  });
  try {
    const offsets = await consumer.listOffsets({ topics: [topic], timestamp: -1n });
    return (offsets.get(topic) ?? []).map(Number);
  } finally {
    await consumer.close(true);
  }
}

/** Wait until `topic` holds at least `count` records; returns the count it holds. */
export async function waitForRecords(bootstrap: string, topic: string, count: number, ms = 30_000): Promise<number> {
  return waitUntil(
    async () => {
      const n = (await endOffsets(bootstrap, [topic])).get(topic) ?? 0;
      return n >= count ? n : 0;
    },
    ms,
    `${count} record(s) in ${topic}`,
    200,
  );
}

/** Every record of partition 0 of `topic` (from the earliest to the end offset at the time of the call). */
export async function readTopic(bootstrap: string, topic: string): Promise<ReadRecord[]> {
  const end = (await endOffsets(bootstrap, [topic])).get(topic) ?? 0;
  if (end === 0) return [];
  const consumer = new Consumer({
    groupId: `test-${randomBytes(4).toString('hex')}`,
    clientId: 'test-reader',
    bootstrapBrokers: [bootstrap],
    maxWaitTime: 200,
  });
  const out: ReadRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    try {
      for await (const m of stream) {
        out.push({
          topic: m.topic,
          key: Buffer.from(m.key ?? Buffer.alloc(0)).toString('utf8'),
          value: Buffer.from(m.value),
          offset: m.offset,
        });
        if (Number(m.offset) >= end - 1) break;
      }
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close(true);
  }
  return out;
}

/** Our SegmentObject in google-protobuf's toObject() shape (skywalking-backend-js's generated classes). */
export function segmentAsPbObject(s: import('../../src/base/model').SegmentObject): unknown {
  return {
    traceid: s.traceId,
    tracesegmentid: s.traceSegmentId,
    service: s.service,
    serviceinstance: s.serviceInstance,
    issizelimited: s.isSizeLimited,
    spansList: s.spans.map((sp) => ({
      spanid: sp.spanId,
      parentspanid: sp.parentSpanId,
      starttime: sp.startTime,
      endtime: sp.endTime,
      refsList: sp.refs.map((r) => ({
        reftype: r.refType,
        traceid: r.traceId,
        parenttracesegmentid: r.parentTraceSegmentId,
        parentspanid: r.parentSpanId,
        parentservice: r.parentService,
        parentserviceinstance: r.parentServiceInstance,
        parentendpoint: r.parentEndpoint,
        networkaddressusedatpeer: r.networkAddressUsedAtPeer,
      })),
      operationname: sp.operationName,
      peer: sp.peer,
      spantype: sp.spanType,
      spanlayer: sp.spanLayer,
      componentid: sp.componentId,
      iserror: sp.isError,
      tagsList: sp.tags.map((t) => ({ key: t.key, value: t.value })),
      logsList: sp.logs.map((l) => ({ time: l.time, dataList: l.data.map((d) => ({ key: d.key, value: d.value })) })),
      skipanalysis: sp.skipAnalysis,
    })),
  };
}

export interface ChildReply {
  cmd: string;
  reported: number;
  stats: {
    queued: number;
    sent: number;
    dropped: number;
    lost: number;
    failedBatches: number;
    failedHeartbeats: number;
  };
  error?: string;
}

export interface ReportingChild {
  /** Send a command; resolves with the reply of the same `cmd`. */
  command(msg: Record<string, unknown>, ms?: number): Promise<ChildReply>;
  /** Everything the child wrote to stderr (our diagnostics). */
  stderr(): string;
  /** Progress messages seen so far. */
  progress: ChildReply[];
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string | null>;
  kill(): void;
}

/** Fork child.js with `env` (on top of ours); resolves once it is ready. */
export async function forkChild(env: Record<string, string>): Promise<ReportingChild> {
  const { fork } = await import('node:child_process');
  const { join } = await import('node:path');
  const child = fork(join(__dirname, 'child.js'), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: ['--unhandled-rejections=strict'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', () => undefined);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const waiters: { cmd: string; resolve: (r: ChildReply) => void }[] = [];
  const progress: ChildReply[] = [];
  child.on('message', (m: ChildReply) => {
    if (m.cmd === 'progress') progress.push(m);
    const i = waiters.findIndex((w) => w.cmd === m.cmd || m.cmd === 'error');
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const wait = (cmd: string, ms: number): Promise<ChildReply> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child gave no '${cmd}' reply within ${ms} ms; stderr:\n${err}`)),
        ms,
      );
      waiters.push({
        cmd,
        resolve: (r) => {
          clearTimeout(timer);
          if (r.cmd === 'error') reject(new Error(`child failed: ${r.error}`));
          else resolve(r);
        },
      });
      void exited.then((code) =>
        reject(new Error(`child exited (${code}) before its '${cmd}' reply; stderr:\n${err}`)),
      );
    });
  await wait('ready', 20_000);
  return {
    command(msg, ms = 60_000) {
      const reply = wait(String(msg.cmd), ms);
      child.send(msg);
      return reply;
    },
    stderr: () => err,
    progress,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
