/**
 * `skywalking-bridge/sw8`: the propagation codecs on their own, for code that reads or writes the
 * headers itself (a proxy, a message bus, a test): `sw8`, `sw8-correlation` and `sw8-x`, their header
 * names (with a namespace prefix), and the legacy W3C / B3 / Jaeger formats read and written during a
 * migration. Pure functions; no peer package.
 */
export { SW8_CORRELATION_HEADER, SW8_HEADER, SW8_X_HEADER, headerNames } from '../propagation/headers';
export type { HeaderNames } from '../propagation/headers';
export { decodeSw8, encodeSw8, isValidSw8 } from '../propagation/sw8';
export type { Sw8Context } from '../propagation/sw8';
export { decodeCorrelation, encodeCorrelation } from '../propagation/correlation';
export type { CorrelationLimits } from '../propagation/correlation';
export { decodeSw8x, encodeSw8x } from '../propagation/extension';
export type { Sw8Extension } from '../propagation/extension';
export { LEGACY_HEADERS, extractLegacy, injectLegacy } from '../propagation/legacy';
export type { LegacyContext, LegacyInjectContext } from '../propagation/legacy';
export type { LegacyFormat } from '../base/config';
