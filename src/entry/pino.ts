/**
 * `skywalking-bridge/pino`: SkyWalking ids in pino records, a pino destination that reports from a
 * worker thread of its own, and a pino transport (this module's default export, loaded by pino's
 * worker) that reports the records to SkyWalking.
 *
 * ```js
 * const { skywalkingMixin, spanSerializers } = require('skywalking-bridge/pino');
 * const logger = pino({
 *   mixin: skywalkingMixin(),                 // trace_id, segment_id, span_id, sw_service, sw_instance, sw_endpoint
 *   serializers: spanSerializers,             // `span` passed in a log call is read, not printed
 *   transport: { target: 'skywalking-bridge/pino', options: { serviceName: 'orders' } },
 * });
 * ```
 */
export { default, transportStats } from '../pino/transport';
export { type SkyWalkingMixinOptions, skywalkingMixin, spanBindings, spanSerializers } from '../pino/mixin';
export type { SkyWalkingLogFields } from '../logs/fields';
export type { PinoRecordOptions, SkyWalkingPinoTransportOptions } from '../pino/options';
export {
  type SkyWalkingDestination,
  type SkyWalkingDestinationOptions,
  skywalkingDestination,
} from '../pino/destination';
export { autoInstrumentationsConfig } from '../logs/otel-log-instrumentations';
