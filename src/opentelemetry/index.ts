export { SkyWalkingSpanProcessor } from './processor';
export type { SkyWalkingSpanProcessorOptions } from './processor';
export { SkyWalkingTraceExporter } from './exporter';
export type { SkyWalkingTraceExporterOptions } from './exporter';
export { SkyWalkingPropagator } from './propagator';
export type { SkyWalkingPropagatorOptions } from './propagator';
export type { EndpointNamer } from './attributes';
export type { ReadableSpanLike } from './types';
