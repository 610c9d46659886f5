/**
 * SkyWalking v3 wire types, as plain objects in the shape `@grpc/proto-loader` serializes
 * (field names as in the .proto files, enums as numbers, int64 as numbers of epoch milliseconds).
 */

/** `SpanType` in Tracing.proto. */
export const SpanType = { Entry: 0, Exit: 1, Local: 2 } as const;
export type SpanType = (typeof SpanType)[keyof typeof SpanType];

/** `SpanLayer` in Tracing.proto. */
export const SpanLayer = {
  Unknown: 0,
  Database: 1,
  RPCFramework: 2,
  Http: 3,
  MQ: 4,
  Cache: 5,
  FAAS: 6,
} as const;
export type SpanLayer = (typeof SpanLayer)[keyof typeof SpanLayer];

/** `RefType` in Tracing.proto. */
export const RefType = { CrossProcess: 0, CrossThread: 1 } as const;
export type RefType = (typeof RefType)[keyof typeof RefType];

export const SPAN_TYPE_NAMES: readonly string[] = ['Entry', 'Exit', 'Local'];
export const SPAN_LAYER_NAMES: readonly string[] = [
  'Unknown',
  'Database',
  'RPCFramework',
  'Http',
  'MQ',
  'Cache',
  'FAAS',
];
export const REF_TYPE_NAMES: readonly string[] = ['CrossProcess', 'CrossThread'];

export interface KeyStringValuePair {
  key: string;
  value: string;
}

export interface LogObject {
  time: number;
  data: KeyStringValuePair[];
}

export interface SegmentReference {
  refType: RefType;
  traceId: string;
  parentTraceSegmentId: string;
  parentSpanId: number;
  parentService: string;
  parentServiceInstance: string;
  parentEndpoint: string;
  networkAddressUsedAtPeer: string;
}

export interface SpanObject {
  spanId: number;
  parentSpanId: number;
  startTime: number;
  endTime: number;
  refs: SegmentReference[];
  operationName: string;
  peer: string;
  spanType: SpanType;
  spanLayer: SpanLayer;
  componentId: number;
  isError: boolean;
  tags: KeyStringValuePair[];
  logs: LogObject[];
  skipAnalysis: boolean;
}

export interface SegmentObject {
  traceId: string;
  traceSegmentId: string;
  spans: SpanObject[];
  service: string;
  serviceInstance: string;
  isSizeLimited: boolean;
}

export interface InstanceProperties {
  service: string;
  serviceInstance: string;
  properties: KeyStringValuePair[];
  layer: string;
}

export interface InstancePingPkg {
  service: string;
  serviceInstance: string;
  layer: string;
}

export interface Command {
  command: string;
  args: KeyStringValuePair[];
}

export interface Commands {
  commands: Command[];
}
