/**
 * A raw SkyWalking collector for the log tests: a real grpc-js server with the agent-facing services
 * (segments, management, logs) that keeps the bytes of every LogData it receives, and a decoder of
 * those bytes with skywalking-backend-js's generated classes (Logging_pb), independent of our encoder.
 */
import * as grpc from '@grpc/grpc-js';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { encodeSw8 } from '../../src/propagation/sw8';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const LoggingPb = require('skywalking-backend-js/lib/proto/logging/Logging_pb');

export interface DecodedLog {
  timestamp: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  bodyCase: 'text' | 'json' | 'yaml' | 'none';
  content: string;
  traceContext: { traceId: string; traceSegmentId: string; spanId: number } | undefined;
  tags: Record<string, string>;
  tagKeys: string[];
  layer: string;
}

/** One LogData message's bytes, decoded by the official generated classes. */
export function decodeLog(bytes: Uint8Array): DecodedLog {
  const d = LoggingPb.LogData.deserializeBinary(bytes);
  const body = d.getBody();
  const cases: Record<number, DecodedLog['bodyCase']> = { 0: 'none', 2: 'text', 3: 'json', 4: 'yaml' };
  const bodyCase = body ? cases[body.getContentCase()]! : 'none';
  const content = bodyCase === 'text' ? body.getText().getText() : bodyCase === 'json' ? body.getJson().getJson() : '';
  const tc = d.getTracecontext();
  const tags: Record<string, string> = {};
  const tagKeys: string[] = [];
  for (const kv of d.getTags()?.getDataList() ?? []) {
    tags[kv.getKey()] = kv.getValue();
    tagKeys.push(kv.getKey());
  }
  return {
    timestamp: d.getTimestamp(),
    service: d.getService(),
    serviceInstance: d.getServiceinstance(),
    endpoint: d.getEndpoint(),
    bodyCase,
    content,
    traceContext: tc
      ? { traceId: tc.getTraceid(), traceSegmentId: tc.getTracesegmentid(), spanId: tc.getSpanid() }
      : undefined,
    tags,
    tagKeys,
    layer: d.getLayer(),
  };
}

const raw = (b: Buffer): Buffer => b;
function method(path: string, requestStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  };
}

export interface RawCollector {
  address: string;
  port: number;
  logs: Buffer[];
  /** `LogReportService/collect` calls, each with its metadata (`authentication`). */
  logCalls: { records: number; authentication: string | undefined }[];
  segments: number;
  /** Resolves when at least `n` log records have arrived. */
  waitForLogs(n: number, timeoutMs?: number): Promise<DecodedLog[]>;
  stop(): Promise<void>;
}

/** A collector on 127.0.0.1 (port 0 unless given) answering every agent call with an empty message. */
export async function startRawCollector(port = 0): Promise<RawCollector> {
  const server = new grpc.Server();
  const logs: Buffer[] = [];
  let segments = 0;
  const events = new (await import('node:events')).EventEmitter();
  const empty = Buffer.alloc(0);
  const stream =
    (onData: (b: Buffer) => void) =>
    (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      call.on('data', onData);
      call.on('error', () => undefined);
      call.on('end', () => cb(null, empty));
    };
  const unary =
    (onData: (b: Buffer) => void) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      onData(call.request);
      cb(null, empty);
    };
  const logCalls: RawCollector['logCalls'] = [];
  server.addService(
    { collect: method('/skywalking.v3.LogReportService/collect', true) },
    {
      collect: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const auth = call.metadata.get('authentication')[0];
        const entry = { records: 0, authentication: auth === undefined ? undefined : String(auth) };
        logCalls.push(entry);
        call.on('data', (b: Buffer) => {
          entry.records++;
          logs.push(b);
          events.emit('log');
        });
        call.on('error', () => undefined);
        call.on('end', () => cb(null, empty));
      },
    },
  );
  server.addService(
    {
      collect: method('/skywalking.v3.TraceSegmentReportService/collect', true),
      collectInSync: method('/skywalking.v3.TraceSegmentReportService/collectInSync', false),
    },
    { collect: stream(() => segments++), collectInSync: unary(() => segments++) },
  );
  server.addService(
    {
      reportInstanceProperties: method('/skywalking.v3.ManagementService/reportInstanceProperties', false),
      keepAlive: method('/skywalking.v3.ManagementService/keepAlive', false),
    },
    { reportInstanceProperties: unary(() => undefined), keepAlive: unary(() => undefined) },
  );
  const bound = await new Promise<number>((ok, fail) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  return {
    address: `127.0.0.1:${bound}`,
    port: bound,
    logs,
    logCalls,
    get segments() {
      return segments;
    },
    // waits on each record's event; the timeout is a deadline for a hang (two busy cores stretch a
    // delivery of a second to many)
    async waitForLogs(n: number, timeoutMs = 60_000) {
      const timer = setTimeout(() => events.emit('timeout'), timeoutMs);
      try {
        while (logs.length < n) {
          const [which] = await Promise.race([
            once(events, 'log').then(() => ['log']),
            once(events, 'timeout').then(() => ['timeout']),
          ]);
          if (which === 'timeout')
            throw new Error(`only ${logs.length} of ${n} log records arrived in ${timeoutMs} ms`);
        }
      } finally {
        clearTimeout(timer);
      }
      return logs.map(decodeLog);
    },
    stop: () => new Promise<void>((ok) => server.tryShutdown(() => ok())).then(() => server.forceShutdown()),
  };
}

/** A trace started by a Java agent: its trace id is not hex. */
export const JAVA_TRACE = '2a1b3c4d5e6f47a8b9c0d1e2f3a4b5c6.123.17000000000010001';
export const javaSw8 = encodeSw8({
  sample: 1,
  traceId: JAVA_TRACE,
  segmentId: '2a1b3c4d5e6f47a8b9c0d1e2f3a4b5c6.123.17000000000010002',
  spanId: 3,
  service: 'java-gateway',
  instance: 'gw-1@host',
  endpoint: '/api/checkout',
  address: 'orders:8080',
})!;

/** The lines a real pino writes (without their newlines) for what `write` logs. */
export function pinoLinesOf(write: (logger: pino.Logger) => void, options: pino.LoggerOptions = {}): string[] {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk).replace(/\n$/, ''));
      cb();
    },
  });
  write(pino(options, out));
  return lines;
}
