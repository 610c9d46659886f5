import { MAX_HEADER_LENGTH } from './headers';

/** The `sw8-x` extension header: tracing mode and the client's sending time. */
export interface Sw8Extension {
  /** Tracing mode 1: every span in this context is reported with `skipAnalysis`. */
  skipAnalysis: boolean;
  /** When the client sent the message, epoch ms (async RPC and MQ); the consumer tags `transmission.latency`. */
  sendingTimestamp?: number;
}

/** Encode as the Java agent does: `<0|1>-<timestamp or a single space>`, e.g. `1- `. */
export function encodeSw8x(ext: Sw8Extension): string {
  const ts = ext.sendingTimestamp;
  const t = typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? String(ts) : ' ';
  return `${ext.skipAnalysis ? '1' : '0'}-${t}`;
}

const DIGITS = /^\d{1,16}$/;

/**
 * Decode an `sw8-x` value. Field 1 `1` means skip analysis (anything else: no); field 2, when it
 * is a non-blank integer, is the sending timestamp (otherwise ignored, as in Java). Returns
 * `undefined` only for a non-string or oversized value; unknown extra fields are ignored.
 */
export function decodeSw8x(value: unknown): Sw8Extension | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER_LENGTH) return undefined;
  const parts = value.split('-');
  const ext: Sw8Extension = { skipAnalysis: parts[0]?.trim() === '1' };
  const ts = parts[1]?.trim();
  if (ts !== undefined && DIGITS.test(ts)) ext.sendingTimestamp = Number(ts);
  return ext;
}
