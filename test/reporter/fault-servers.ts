/**
 * The servers every transport is tested against (test/reporter/delivery-faults.test.ts): a port
 * that refuses connections, a port that accepts TCP and never answers, and a gRPC server with the
 * OAP's services that takes each call and answers only when the test releases it (a slow server
 * whose slowness the test decides, not the clock). All on 127.0.0.1, ephemeral ports.
 */
import type * as grpcTypes from '@grpc/grpc-js';
import { type Socket, createServer } from 'node:net';
import { loadServices } from '../../src/protocol/loader';

export interface FaultServer {
  address: string;
  /** Records (segments, log records) the server has taken so far. */
  received(): number;
  /** Resolves once the server has taken `n` records. */
  waitForRecords(n: number): Promise<void>;
  /** Answer every call held so far, and each later one at once. */
  release(): void;
  stop(): Promise<void>;
}

const none = {
  received: () => 0,
  waitForRecords: () => new Promise<void>(() => undefined),
  release: () => undefined,
};

/** A port on 127.0.0.1 where nothing listens: connections are refused. */
export function refusedServer(): Promise<FaultServer> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve({ ...none, address: `127.0.0.1:${port}`, stop: async () => undefined }));
    });
  });
}

/** Accepts TCP connections and never writes a byte. */
export function silentServer(): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const s = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      resolve({
        ...none,
        address: `127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            s.close(() => done());
          }),
      });
    });
  });
}

/** A gRPC server with the OAP's services (segments, logs, management) that holds each answer until `release()`. */
export async function slowServer(): Promise<FaultServer> {
  const { grpc, TraceSegmentReportService, LogReportService, ManagementService } = loadServices();
  let records = 0;
  let released = false;
  const held: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const took = (n: number): void => {
    records += n;
    for (const w of waiters.filter((x) => records >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const answer = (cb: grpcTypes.sendUnaryData<unknown>): void => {
    if (released) cb(null, {});
    else held.push(() => cb(null, {}));
  };
  const stream = (
    call: grpcTypes.ServerReadableStream<unknown, unknown>,
    cb: grpcTypes.sendUnaryData<unknown>,
  ): void => {
    call.on('data', () => took(1));
    call.on('end', () => answer(cb));
  };
  const server = new grpc.Server();
  server.addService(TraceSegmentReportService.service, {
    collect: stream,
    collectInSync(
      call: grpcTypes.ServerUnaryCall<{ segments: unknown[] }, unknown>,
      cb: grpcTypes.sendUnaryData<unknown>,
    ) {
      took(call.request.segments.length);
      answer(cb);
    },
  });
  server.addService(LogReportService.service, { collect: stream });
  const ok = (_call: unknown, cb: grpcTypes.sendUnaryData<unknown>): void => cb(null, {});
  server.addService(ManagementService.service, { reportInstanceProperties: ok, keepAlive: ok });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    received: () => records,
    waitForRecords: (n) => (records >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    release: () => {
      released = true;
      for (const h of held.splice(0)) h();
    },
    stop: async () => server.forceShutdown(),
  };
}
