import type * as grpcTypes from '@grpc/grpc-js';
import type { InstancePingPkg, InstanceProperties, SegmentObject } from '../base/model';
import { loadServices } from '../protocol/loader';
import { CallGuard, EMPTY_COMMANDS } from './call-guard';
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
type Services = ReturnType<typeof loadServices>;

/** The server's channel options: message and stream bounds, idle and age limits, keepalive. */
function serverOptions(settings: GrpcSettings): grpcTypes.ServerOptions {
  return {
    'grpc.max_receive_message_length': settings.maxMessageBytes,
    'grpc.max_send_message_length': 64 * 1024,
    'grpc.max_concurrent_streams': settings.maxConcurrentStreams,
    'grpc.max_connection_idle_ms': settings.idleMs,
    'grpc.max_connection_age_ms': settings.maxAgeMs,
    'grpc.max_connection_age_grace_ms': Math.max(1000, Math.round(settings.idleMs / 10)),
    'grpc.keepalive_time_ms': Math.max(1000, Math.min(settings.idleMs, 60_000)),
    'grpc.keepalive_timeout_ms': 20_000,
  };
}

/** Segments (streamed or in one call), instance properties and heartbeats, logs: into the store. */
function addStoreServices(server: grpcTypes.Server, services: Services, guard: CallGuard, store: CollectorStore): void {
  server.addService(services.TraceSegmentReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<SegmentObject, unknown>, callback: Callback) {
      guard.stream(call, callback, (seg) => store.add(seg));
    },
    collectInSync(call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>, callback: Callback) {
      guard.unary('collectInSync', call, callback, (request) => {
        for (const seg of request.segments ?? []) store.add(seg);
      });
    },
  });
  server.addService(services.ManagementService.service, {
    reportInstanceProperties(call: grpcTypes.ServerUnaryCall<InstanceProperties, unknown>, callback: Callback) {
      guard.unary('reportInstanceProperties', call, callback, (request) =>
        store.setProperties(request.service, request.serviceInstance, request.properties ?? []),
      );
    },
    keepAlive(call: grpcTypes.ServerUnaryCall<InstancePingPkg, unknown>, callback: Callback) {
      guard.unary('keepAlive', call, callback, (request) => store.ping(request.service, request.serviceInstance));
    },
  });
  server.addService(services.LogReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<unknown, unknown>, callback: Callback) {
      guard.stream(call, callback, (log) => void store.addLog(log));
    },
  });
}

/** Configuration Discovery: the commands of `config` (none without one). */
function addConfigurationDiscovery(
  server: grpcTypes.Server,
  services: Services,
  guard: CallGuard,
  config: AgentConfigSource | undefined,
): void {
  server.addService(services.ConfigurationDiscoveryService.service, {
    fetchConfigurations(call: grpcTypes.ServerUnaryCall<unknown, unknown>, callback: Callback) {
      const denied = guard.denied(call.metadata);
      if (denied) return callback(denied);
      if (!config) return callback(null, EMPTY_COMMANDS);
      try {
        callback(null, config.answer(call.request as { service?: string; uuid?: string }));
      } catch (e) {
        callback(guard.internal('fetchConfigurations', e));
      }
    },
  });
}

/** Bind to `host:port` (TLS when given); the port bound. */
function bind(
  grpc: Services['grpc'],
  server: grpcTypes.Server,
  address: string,
  tls: GrpcSettings['tls'],
): Promise<number> {
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.certChain, private_key: tls.privateKey }])
    : grpc.ServerCredentials.createInsecure();
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
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
  const services = loadServices();
  const server = new services.grpc.Server(serverOptions(settings));
  const guard = new CallGuard(services.grpc, settings.token, settings.onError);
  addStoreServices(server, services, guard, store);
  addConfigurationDiscovery(server, services, guard, settings.agentConfig);
  // JVM/CLR metrics, meters, events, profile tasks, browser data: answered, counted, latest kept
  addAgentServices(server, guard, settings.telemetry);
  const bound = await bind(services.grpc, server, `${host}:${port}`, settings.tls);
  return { server, port: bound };
}
