import { join } from 'node:path';
import type * as grpcTypes from '@grpc/grpc-js';

/**
 * Loads the shipped `.proto` files (in `protos/` at the package root) with `@grpc/proto-loader`.
 * `@grpc/grpc-js` is required on first use, not at import, so that an application's gRPC
 * instrumentation can patch it first; our own calls run with tracing suppressed instead.
 */
export const PROTO_DIR = join(__dirname, '..', '..', 'protos');

export const PROTO_FILES = [
  'common/Common.proto',
  'common/Command.proto',
  'language-agent/Tracing.proto',
  'management/Management.proto',
  'logging/Logging.proto',
  'language-agent/ConfigurationDiscoveryService.proto',
] as const;

/** Loader options: field names as written, enums and int64 as numbers, defaults filled in. */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export interface SkyWalkingServices {
  grpc: typeof grpcTypes;
  TraceSegmentReportService: grpcTypes.ServiceClientConstructor;
  ManagementService: grpcTypes.ServiceClientConstructor;
  LogReportService: grpcTypes.ServiceClientConstructor;
  ConfigurationDiscoveryService: grpcTypes.ServiceClientConstructor;
}

let cached: SkyWalkingServices | undefined;

/** The gRPC client constructors and service definitions of `skywalking.v3` (loaded once). */
export function loadServices(): SkyWalkingServices {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require('@grpc/grpc-js') as typeof grpcTypes;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    skywalking: { v3: Record<string, grpcTypes.ServiceClientConstructor> };
  };
  const v3 = root.skywalking.v3;
  cached = {
    grpc,
    TraceSegmentReportService: v3.TraceSegmentReportService!,
    ManagementService: v3.ManagementService!,
    LogReportService: v3.LogReportService!,
    ConfigurationDiscoveryService: v3.ConfigurationDiscoveryService!,
  };
  return cached;
}
