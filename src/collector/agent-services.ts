import type * as grpcTypes from '@grpc/grpc-js';
import { LOADER_OPTIONS } from '../protocol/loader';
import type { AgentTelemetry } from './agent-telemetry';

/** The agent-facing services the official agents call besides segments, logs and management. */
export const AGENT_PROTO_FILES = [
  'language-agent/JVMMetric.proto',
  'language-agent/CLRMetric.proto',
  'language-agent/Meter.proto',
  'event/Event.proto',
  'profile/Profile.proto',
  'browser/BrowserPerf.proto',
] as const;

type Callback = grpcTypes.sendUnaryData<unknown>;

/** How the collector's server answers a call: the token check, error guarding, the empty Commands. */
export interface CallGuards {
  unary<T>(
    where: string,
    call: grpcTypes.ServerUnaryCall<T, unknown>,
    callback: Callback,
    work: (request: T) => void,
  ): void;
  stream<T>(call: grpcTypes.ServerReadableStream<T, unknown>, callback: Callback, onData: (message: T) => void): void;
}

let definitions: Record<string, grpcTypes.ServiceDefinition> | undefined;

function services(): Record<string, grpcTypes.ServiceDefinition> {
  if (definitions) return definitions;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require('@grpc/grpc-js') as typeof grpcTypes;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const root = grpc.loadPackageDefinition(protoLoader.loadSync([...AGENT_PROTO_FILES], LOADER_OPTIONS)) as unknown as {
    skywalking: { v3: Record<string, grpcTypes.ServiceClientConstructor> };
  };
  const v3 = root.skywalking.v3;
  definitions = {};
  for (const name of [
    'JVMMetricReportService',
    'CLRMetricReportService',
    'MeterReportService',
    'EventService',
    'ProfileTask',
    'BrowserPerfService',
  ]) {
    definitions[name] = v3[name]!.service;
  }
  return definitions;
}

type Message = Record<string, unknown>;

/**
 * Adds JVM and CLR metrics, meters, events, profile tasks and browser performance to `server`, so an
 * official agent pointed at the collector gets an answer (an empty Commands) to every call instead
 * of UNIMPLEMENTED, and what it sent is counted and its latest values kept in `telemetry`.
 */
export function addAgentServices(server: grpcTypes.Server, guards: CallGuards, telemetry: AgentTelemetry): void {
  const s = services();
  server.addService(s.JVMMetricReportService!, {
    collect: (call: grpcTypes.ServerUnaryCall<Message, unknown>, cb: Callback) =>
      guards.unary('jvm', call, cb, (m) => telemetry.jvm(m)),
  });
  server.addService(s.CLRMetricReportService!, {
    collect: (call: grpcTypes.ServerUnaryCall<Message, unknown>, cb: Callback) =>
      guards.unary('clr', call, cb, (m) => telemetry.clr(m)),
  });
  server.addService(s.MeterReportService!, {
    collect: (call: grpcTypes.ServerReadableStream<Message, unknown>, cb: Callback) => {
      const last = { service: '', instance: '' };
      guards.stream(call, cb, (m) => telemetry.meter(m, last));
    },
    collectBatch: (call: grpcTypes.ServerReadableStream<Message, unknown>, cb: Callback) => {
      const last = { service: '', instance: '' };
      guards.stream(call, cb, (batch) => {
        for (const m of Array.isArray(batch.meterData) ? (batch.meterData as Message[]) : []) telemetry.meter(m, last);
      });
    },
  });
  server.addService(s.EventService!, {
    collect: (call: grpcTypes.ServerReadableStream<Message, unknown>, cb: Callback) =>
      guards.stream(call, cb, (e) => telemetry.event(e)),
  });
  server.addService(s.ProfileTask!, {
    getProfileTaskCommands: (call: grpcTypes.ServerUnaryCall<Message, unknown>, cb: Callback) =>
      guards.unary('profile', call, cb, (q) => telemetry.count('profileQuery', q.service, q.serviceInstance)),
    collectSnapshot: (call: grpcTypes.ServerReadableStream<Message, unknown>, cb: Callback) =>
      guards.stream(call, cb, () => telemetry.count('profileSnapshot', '', '')),
    reportTaskFinish: (call: grpcTypes.ServerUnaryCall<Message, unknown>, cb: Callback) =>
      guards.unary('profile', call, cb, (r) => telemetry.count('profileFinish', r.service, r.serviceInstance)),
  });
  server.addService(s.BrowserPerfService!, {
    collectPerfData: (call: grpcTypes.ServerUnaryCall<Message, unknown>, cb: Callback) =>
      guards.unary('browser', call, cb, (p) => telemetry.count('browserPerf', p.service, p.serviceVersion)),
    collectErrorLogs: (call: grpcTypes.ServerReadableStream<Message, unknown>, cb: Callback) =>
      guards.stream(call, cb, (e) => telemetry.count('browserError', e.service, e.serviceVersion)),
  });
}
