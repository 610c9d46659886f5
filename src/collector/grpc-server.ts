import type * as grpcTypes from '@grpc/grpc-js';
import type { InstancePingPkg, InstanceProperties, SegmentObject } from '../base/model';
import { loadServices } from '../protocol/loader';
import { tokenMatches } from './auth';
import { addAgentServices } from './agent-services';
import type { AgentTelemetry } from './agent-telemetry';
import type { CollectorStore } from './store';
import type { AgentConfigSource } from './config-discovery';

export interface GrpcSettings {
  token: string | undefined;
  tls?: { certChain: Buffer; privateKey: Buffer };
  /** Largest message accepted (bytes); bigger ones are refused with RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** Connections with no call for this long are closed (GOAWAY). */
  idleMs: number;
  /** Connections older than this are closed after a grace of `idleMs / 10` (so a silent peer never holds one for ever). */
  maxAgeMs: number;
  /** HTTP/2 streams at once per connection. */
  maxConcurrentStreams: number;
  /** What the agents report besides segments, logs and heartbeats (JVM metrics, meters, events, ...). */
  telemetry: AgentTelemetry;
  /** A handler threw: count it, say so (rate-limited); the call gets INTERNAL and the server goes on. */
  onError: (where: string, error: unknown) => void;
  /** Agent configurations served by ConfigurationDiscoveryService (else no commands). */
  agentConfig?: AgentConfigSource;
}

type Callback = grpcTypes.sendUnaryData<unknown>;
const EMPTY_COMMANDS = { commands: [] };

/** The OAP's answer to a call without the right `Authentication` metadata. */
function refused(
  grpc: typeof grpcTypes,
  metadata: grpcTypes.Metadata,
  token: string | undefined,
): grpcTypes.ServiceError | null {
  if (!token) return null;
  const got = metadata.get('authentication')[0];
  if (tokenMatches(typeof got === 'string' ? got : undefined, token)) return null;
  const err = new Error('The token is not valid') as grpcTypes.ServiceError;
  err.code = grpc.status.PERMISSION_DENIED;
  err.details = 'The token is not valid';
  err.metadata = new grpc.Metadata();
  return err;
}

/**
 * A gRPC server with the agent-facing services of the OAP: TraceSegmentReportService (collect,
 * collectInSync), ManagementService (reportInstanceProperties, keepAlive), LogReportService (collect),
 * ConfigurationDiscoveryService (fetchConfigurations: no commands), and the rest of what the official
 * agents call (agent-services.ts), so no agent ever gets UNIMPLEMENTED.
 */
export async function startGrpcServer(
  store: CollectorStore,
  host: string,
  port: number,
  settings: GrpcSettings,
): Promise<{ server: grpcTypes.Server; port: number }> {
  const { grpc, TraceSegmentReportService, ManagementService, LogReportService, ConfigurationDiscoveryService } =
    loadServices();
  const { token, tls, onError } = settings;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': settings.maxMessageBytes,
    'grpc.max_send_message_length': 64 * 1024,
    'grpc.max_concurrent_streams': settings.maxConcurrentStreams,
    'grpc.max_connection_idle_ms': settings.idleMs,
    'grpc.max_connection_age_ms': settings.maxAgeMs,
    'grpc.max_connection_age_grace_ms': Math.max(1000, Math.round(settings.idleMs / 10)),
    'grpc.keepalive_time_ms': Math.max(1000, Math.min(settings.idleMs, 60_000)),
    'grpc.keepalive_timeout_ms': 20_000,
  });
  const internal = (where: string, e: unknown): grpcTypes.ServiceError => {
    onError(where, e);
    const err = new Error('internal error') as grpcTypes.ServiceError;
    err.code = grpc.status.INTERNAL;
    err.details = 'internal error';
    err.metadata = new grpc.Metadata();
    return err;
  };
  /** Run a unary handler's work; a throw answers INTERNAL instead of reaching the event loop. */
  const guarded = (where: string, callback: Callback, work: () => void) => {
    try {
      work();
      callback(null, EMPTY_COMMANDS);
    } catch (e) {
      callback(internal(where, e));
    }
  };

  /** A client stream: refused (drained) without the token, else each message to `onData`. */
  function receive<T>(
    call: grpcTypes.ServerReadableStream<T, unknown>,
    callback: Callback,
    onData: (message: T) => void,
  ): void {
    const denied = refused(grpc, call.metadata, token);
    call.on('error', () => undefined);
    if (denied) {
      call.on('data', () => undefined);
      callback(denied);
      return;
    }
    let failed = false;
    call.on('data', (message: T) => {
      if (failed) return;
      try {
        onData(message);
      } catch (e) {
        failed = true;
        callback(internal('stream', e));
      }
    });
    call.on('end', () => {
      if (!failed) callback(null, EMPTY_COMMANDS);
    });
  }

  server.addService(TraceSegmentReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<SegmentObject, unknown>, callback: Callback) {
      receive(call, callback, (seg) => store.add(seg));
    },
    collectInSync(call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      guarded('collectInSync', callback, () => {
        for (const seg of call.request.segments ?? []) store.add(seg);
      });
    },
  });
  server.addService(ManagementService.service, {
    reportInstanceProperties(call: grpcTypes.ServerUnaryCall<InstanceProperties, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      guarded('reportInstanceProperties', callback, () =>
        store.setProperties(call.request.service, call.request.serviceInstance, call.request.properties ?? []),
      );
    },
    keepAlive(call: grpcTypes.ServerUnaryCall<InstancePingPkg, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      guarded('keepAlive', callback, () => store.ping(call.request.service, call.request.serviceInstance));
    },
  });
  server.addService(ConfigurationDiscoveryService.service, {
    fetchConfigurations(call: grpcTypes.ServerUnaryCall<unknown, unknown>, callback: Callback) {
      const denied = refused(grpc, call.metadata, token);
      if (denied) return callback(denied);
      const config = settings.agentConfig;
      if (!config) return callback(null, EMPTY_COMMANDS);
      try {
        callback(null, config.answer(call.request as { service?: string; uuid?: string }));
      } catch (e) {
        callback(internal('fetchConfigurations', e));
      }
    },
  });
  server.addService(LogReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<unknown, unknown>, callback: Callback) {
      receive(call, callback, (log) => void store.addLog(log));
    },
  });
  // JVM/CLR metrics, meters, events, profile tasks, browser data: answered, counted, latest kept
  addAgentServices(
    server,
    {
      unary<T>(
        where: string,
        call: grpcTypes.ServerUnaryCall<T, unknown>,
        callback: Callback,
        work: (request: T) => void,
      ) {
        const denied = refused(grpc, call.metadata, token);
        if (denied) return callback(denied);
        guarded(where, callback, () => work(call.request));
      },
      stream: receive,
    },
    settings.telemetry,
  );

  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host}:${port}`,
      tls
        ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.certChain, private_key: tls.privateKey }])
        : grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return { server, port: bound };
}
