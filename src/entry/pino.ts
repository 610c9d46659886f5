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
export { default } from '../pino/transport';
export {
  STATS_EVENT,
  type PinoLineWorker,
  type PinoRecordOptions,
  type SkyWalkingLogFields,
  type SkyWalkingMixinOptions,
  type SkyWalkingPinoTransportOptions,
  pinoLineWorker,
  recordOfPino,
  skywalkingMixin,
  spanBindings,
  spanSerializers,
  transportStats,
} from '../pino/transport';
export {
  type SkyWalkingDestination,
  type SkyWalkingDestinationOptions,
  skywalkingDestination,
} from '../pino/destination';
