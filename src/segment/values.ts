/**
 * Safe, bounded stringification of arbitrary tag and log values: never throws, whatever the value
 * (circular objects, throwing getters or toString, symbols, BigInt, Buffers, huge strings).
 */
export function safeString(value: unknown, maxLength: number): string {
  let s: string;
  switch (typeof value) {
    case 'string':
      s = value;
      break;
    case 'number':
    case 'boolean':
    case 'bigint':
      s = String(value);
      break;
    case 'undefined':
      s = 'undefined';
      break;
    case 'symbol':
      s = safeCall(() => value.toString(), 'Symbol()');
      break;
    case 'function':
      s = `[function ${safeCall(() => value.name, '') || 'anonymous'}]`;
      break;
    default:
      s = objectString(value as object | null, maxLength);
  }
  return s.length > maxLength ? s.slice(0, maxLength) : s;
}

function safeCall<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function objectString(value: object | null, maxLength: number): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const bytes = value.byteLength;
    const shown = Buffer.from(value.buffer, value.byteOffset, Math.min(bytes, Math.ceil(maxLength / 2)));
    return shown.toString('hex');
  }
  if (value instanceof Error) {
    return safeCall(() => `${value.name}: ${value.message}`, '[Error]');
  }
  if (value instanceof Date) {
    return safeCall(() => value.toISOString(), 'Invalid Date');
  }
  return safeCall(() => {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'symbol') return v.toString();
      if (typeof v === 'function') return undefined;
      if (v !== null && typeof v === 'object') {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return json === undefined ? safeCall(() => String(value), '[object]') : json;
  }, '[unserializable]');
}
