/**
 * `skywalking-bridge/winston`: a format that adds the SkyWalking ids to each record, and a
 * transport that reports the records to SkyWalking.
 *
 * ```js
 * const { skywalkingFormat, SkyWalkingTransport } = require('skywalking-bridge/winston');
 * const logger = winston.createLogger({
 *   format: winston.format.combine(skywalkingFormat(), winston.format.json()),
 *   transports: [new winston.transports.Console(), new SkyWalkingTransport({ via: spanProcessor })],
 * });
 * ```
 */
export * from '../winston/winston';
export { autoInstrumentationsConfig } from '../logs/otel-log-instrumentations';
