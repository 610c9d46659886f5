/** Small checks shared by the legacy header codecs (W3C, B3, Jaeger). Pure, never throw. */

const LOWER_HEX = /^[0-9a-f]+$/;
const ANY_HEX = /^[0-9a-fA-F]+$/;
const ZEROS = /^0+$/;

/** Lowercase hex of exactly `length` characters, not all zeros. */
export function isStrictHex(value: string, length: number): boolean {
  return value.length === length && LOWER_HEX.test(value) && !ZEROS.test(value);
}

/**
 * Hex of 1..`length` characters (any case), left-padded with zeros to `length` and lowercased;
 * undefined when it is not hex, too long, or all zeros.
 */
export function padHex(value: string, length: number): string | undefined {
  if (value.length === 0 || value.length > length || !ANY_HEX.test(value) || ZEROS.test(value)) return undefined;
  return value.toLowerCase().padStart(length, '0');
}

/** Longest legacy header value we look at; anything longer is treated as absent. */
export const MAX_LEGACY_HEADER_LENGTH = 512;
