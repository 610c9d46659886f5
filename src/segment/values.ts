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
  // a Proxy can throw from any trap, even `instanceof`: everything here is guarded
  return safeCall(() => {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      const bytes = value.byteLength;
      const shown = Buffer.from(value.buffer, value.byteOffset, Math.min(bytes, Math.ceil(maxLength / 2)));
      return shown.toString('hex');
    }
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (value instanceof Date) return safeCall(() => value.toISOString(), 'Invalid Date');
    return boundedJson(value, maxLength);
  }, '[unserializable]');
}

const MAX_DEPTH = 8;

/**
 * JSON-like text of an object, built only up to `maxLength` characters: a huge array or a deep
 * structure costs no more than the part that is kept. Circular references print `[Circular]`,
 * getters that throw `[Throws]`, BigInt and symbols as strings; functions are left out.
 */
function boundedJson(root: object, maxLength: number): string {
  let out = '';
  const seen = new WeakSet<object>();
  const full = (): boolean => out.length > maxLength;
  const walk = (v: unknown, depth: number): void => {
    if (full()) return;
    switch (typeof v) {
      case 'string':
        out += JSON.stringify(v.length > maxLength ? v.slice(0, maxLength) : v);
        return;
      case 'number':
        out += Number.isFinite(v) ? String(v) : 'null';
        return;
      case 'boolean':
        out += String(v);
        return;
      case 'bigint':
        out += `"${v.toString()}"`;
        return;
      case 'symbol':
        out += JSON.stringify(safeCall(() => v.toString(), 'Symbol()'));
        return;
      case 'undefined':
      case 'function':
        out += 'null';
        return;
    }
    if (v === null) {
      out += 'null';
      return;
    }
    const obj = v as Record<string, unknown>;
    if (seen.has(obj)) {
      out += '"[Circular]"';
      return;
    }
    if (depth >= MAX_DEPTH) {
      out += '"[Object]"';
      return;
    }
    seen.add(obj);
    const toJSON = safeCall(() => obj.toJSON, undefined);
    if (typeof toJSON === 'function') {
      const j = safeCall(() => (toJSON as () => unknown).call(obj), '[Throws]' as unknown);
      if (j !== obj) {
        walk(j, depth + 1);
        return;
      }
    }
    if (Array.isArray(obj)) {
      out += '[';
      for (let i = 0; i < obj.length && !full(); i++) {
        if (i > 0) out += ',';
        walk(
          safeCall(() => obj[i], '[Throws]' as unknown),
          depth + 1,
        );
      }
      out += ']';
      return;
    }
    out += '{';
    let first = true;
    for (const key of Object.keys(obj)) {
      if (full()) break;
      const item = safeCall(() => obj[key], '[Throws]' as unknown);
      if (item === undefined || typeof item === 'function') continue;
      out += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      walk(item, depth + 1);
    }
    out += '}';
  };
  walk(root, 0);
  return out;
}
