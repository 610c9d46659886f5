/**
 * Standard base64 (RFC 4648, with padding) for header fields, strict on decode: only the
 * standard alphabet, length a multiple of 4, padding only at the end. The sw8 codec keeps the
 * fields that recur in every header (service, instance, endpoint, address) encoded and decoded.
 */
// imported, not the global: Node's global `Buffer` is an accessor, a getter call at every use
import { Buffer } from 'node:buffer';

/**
 * True when a string's characters are all ASCII (below 128): its UTF-8 length then equals its
 * length. Buffer.byteLength is a fast native call, about twice as fast as a regular expression.
 */
function isAscii(value: string): boolean {
  return Buffer.byteLength(value, 'utf8') === value.length;
}
/**
 * UTF-8 then base64. Header values are short and almost always ASCII (ids, names, addresses):
 * those go through the runtime's native `btoa`; anything else through Buffer.
 */
export function encode64(value: string): string {
  return isAscii(value) ? btoa(value) : Buffer.from(value, 'utf8').toString('base64');
}

/**
 * Strict base64 then UTF-8; `undefined` when the text is not valid standard padded base64.
 * The runtime's `atob` already rejects characters outside the alphabet and misplaced padding;
 * it is lenient only about whitespace (removed) and missing padding, so the length checks
 * below (input a multiple of 4, output exactly the length that implies) make it strict.
 */
export function decode64(value: string): string | undefined {
  const n = value.length;
  if ((n & 3) !== 0) return undefined;
  let bytes: string;
  try {
    bytes = atob(value);
  } catch {
    return undefined;
  }
  const pad = n > 0 && value.charCodeAt(n - 1) === 61 ? (value.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  if (bytes.length !== (n >> 2) * 3 - pad) return undefined;
  return isAscii(bytes) ? bytes : Buffer.from(value, 'base64').toString('utf8');
}
