/**
 * Reading and writing propagation headers in OpenTracing carriers: plain objects for TEXT_MAP and
 * HTTP_HEADERS (names matched case-insensitively, array values take the first), and a documented
 * binary form for BINARY. Nothing here throws; carriers of the wrong shape read as empty.
 */

const MAX_SCAN_KEYS = 512;
const MAX_BINARY_BYTES = 16 * 1024;

/** A getter over a text carrier that takes lowercase names. */
export function textGetter(carrier: unknown): (name: string) => string | undefined {
  if (carrier === null || typeof carrier !== 'object') return () => undefined;
  const obj = carrier as Record<string, unknown>;
  // names with capitals, lowercased (first one wins); built on the first miss. Node's own headers
  // objects are all lowercase, so it usually stays empty and costs one scan of the names
  let lowered: Map<string, unknown> | undefined;
  let scanned = false;
  return (name: string) => {
    try {
      let v = obj[name];
      if (v === undefined) {
        if (!scanned) {
          scanned = true;
          let n = 0;
          for (const k of Object.keys(obj)) {
            if (++n > MAX_SCAN_KEYS) break;
            const lk = k.toLowerCase();
            if (lk === k) continue;
            lowered ??= new Map();
            if (!lowered.has(lk)) lowered.set(lk, obj[k]);
          }
        }
        v = lowered?.get(name);
      }
      if (Array.isArray(v)) v = v[0];
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The carrier's header names, lowercased (at most 512), e.g. to find `uberctx-*` baggage. */
export function textKeys(carrier: unknown): string[] {
  if (carrier === null || typeof carrier !== 'object') return [];
  try {
    return Object.keys(carrier)
      .slice(0, MAX_SCAN_KEYS)
      .map((k) => k.toLowerCase());
  } catch {
    return [];
  }
}

/** A setter over a text carrier; ignored when the carrier is not an object. */
export function textSetter(carrier: unknown): (name: string, value: string) => void {
  if (carrier === null || typeof carrier !== 'object') return () => {};
  return (name, value) => {
    try {
      (carrier as Record<string, string>)[name] = value;
    } catch {
      // frozen or exotic carrier: nothing to do
    }
  };
}

/**
 * The BINARY form: the same headers as UTF-8 text, one `name: value` per line (`\n`), in the
 * carrier's `buffer` field. Written as a Node Buffer; read from a Buffer, Uint8Array, ArrayBuffer
 * or array of byte values (at most 16 KiB).
 */
export function encodeBinaryHeaders(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.from(headers.map(([k, v]) => `${k}: ${v}\n`).join(''), 'utf8');
}

function bytesOf(buffer: unknown): Buffer | undefined {
  if (Buffer.isBuffer(buffer)) return buffer;
  if (buffer instanceof Uint8Array) return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return Buffer.from(buffer);
  if (
    Array.isArray(buffer) &&
    buffer.length <= MAX_BINARY_BYTES &&
    buffer.every((b) => Number.isInteger(b) && b >= 0 && b < 256)
  ) {
    return Buffer.from(buffer as number[]);
  }
  return undefined;
}

/** Parse the BINARY form into a lowercase-name getter (empty for anything unreadable). */
export function binaryGetter(
  carrier: unknown,
): ((name: string) => string | undefined) & { names: () => Iterable<string> } {
  let buffer: unknown;
  try {
    buffer = carrier !== null && typeof carrier === 'object' ? (carrier as { buffer?: unknown }).buffer : undefined;
  } catch {
    buffer = undefined;
  }
  const bytes = bytesOf(buffer);
  const map = new Map<string, string>();
  if (bytes && bytes.length <= MAX_BINARY_BYTES) {
    for (const line of bytes.toString('utf8').split('\n')) {
      const i = line.indexOf(': ');
      if (i > 0) map.set(line.slice(0, i).toLowerCase(), line.slice(i + 2));
    }
  }
  const get = (name: string): string | undefined => map.get(name);
  return Object.assign(get, { names: () => map.keys() });
}
