/** Header names of the SkyWalking cross-process propagation protocol v3. */
export const SW8_HEADER = 'sw8';
export const SW8_CORRELATION_HEADER = 'sw8-correlation';
export const SW8_X_HEADER = 'sw8-x';

/** Header values longer than this are refused (the protocol's "less than 2k"). */
export const MAX_HEADER_LENGTH = 2048;

export interface HeaderNames {
  sw8: string;
  correlation: string;
  extension: string;
}

/** The three header names, prefixed `<namespace>-` when a namespace is set (as the Java agent does). */
export function headerNames(namespace = ''): HeaderNames {
  const p = namespace === '' ? '' : `${namespace}-`;
  return { sw8: p + SW8_HEADER, correlation: p + SW8_CORRELATION_HEADER, extension: p + SW8_X_HEADER };
}
