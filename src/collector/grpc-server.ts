import type * as grpcTypes from '@grpc/grpc-js';
import type { InstancePingPkg, InstanceProperties, SegmentObject } from '../model';
import { loadServices } from '../protocol/loader';
import type { CollectorStore } from './store';

type Callback = grpcTypes.sendUnaryData<unknown>;
const EMPTY_COMMANDS = { commands: [] };

/** The OAP's answer to a call without the right `Authentication` metadata. */
function refused(grpc: typeof grpcTypes, metadata: grpcTypes.Metadata, token: string | undefined): grpcTypes.ServiceError | null {
  if (!token) return null;
  const got = metadata.get('authentication')[0];
  if (got === token) return null;
  const err = new Error('The token is not valid') as grpcTypes.ServiceError;
  err.code = grpc.status.PERMISSION_DENIED;
  err.details = 'The token is not valid';
  err.metadata = new grpc.Metadata();
  return err;
}

/**
 * A gRPC server with the agent-facing services of the OAP: TraceSegmentReportService (collect,
 * collectInSync), ManagementService (reportInstanceProperties, keepAlive), LogReportService (collect),
 * ConfigurationDiscoveryService (fetchConfigurations: no commands).
 */
export async function startGrpcServer(
  store: CollectorStore,
  host: string,
  port: number,
  token: string | undefined,
  tls?: { certChain: Buffer; privateKey: Buffer },
): Promise<{ server: grpcTypes.Server; port: number }> {
  const { grpc, TraceSegmentReportService, ManagementService, LogReportService, ConfigurationDiscoveryService } = loadServices();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });

  /** A client stream: refused (drained) without the token, else each message to `onData`. */
  function receive<T>(call: grpcTypes.ServerReadableStream<T, unknown>, callback: Callback, onData: (message: T) => void): void {
    const denied = refused(grpc, call.metadata, token);
    call.on('error', () => undefined);
    if (denied) {
      call.on('data', () => undefined);
      callback(denied);
      return;
    }
    call.on('data', onData);
    call.on('end', () => callback(null, EMPTY_COMMANDS));
  }

  server.addService(TraceSegmentReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<SegmentObject, unknown>, callback: Callback) {
      receive(call, callback, (seg) => store.add(seg));
    },
    collectInSync(call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      for (const seg of call.request.segments ?? []) store.add(seg);
      callback(null, EMPTY_COMMANDS);
    },
  });
  server.addService(ManagementService.service, {
    reportInstanceProperties(call: grpcTypes.ServerUnaryCall<InstanceProperties, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      store.setProperties(call.request.service, call.request.serviceInstance, call.request.properties ?? []);
      callback(null, EMPTY_COMMANDS);
    },
    keepAlive(call: grpcTypes.ServerUnaryCall<InstancePingPkg, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      store.ping(call.request.service, call.request.serviceInstance);
      callback(null, EMPTY_COMMANDS);
    },
  });
  server.addService(ConfigurationDiscoveryService.service, {
    fetchConfigurations(call: grpcTypes.ServerUnaryCall<unknown, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      callback(null, EMPTY_COMMANDS);
    },
  });
  server.addService(LogReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<unknown, unknown>, callback: Callback) {
      receive(call, callback, (log) => store.addLog(log));
    },
  });

  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.certChain, private_key: tls.privateKey }]) : grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port: bound };
}
