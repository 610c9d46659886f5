/**
 * An attribute value as tag text. Strings, numbers and booleans as themselves; arrays of those
 * comma-joined (as before); bytes as base64; any other object or array (api 1.10 allows any value)
 * as JSON, bounded: at most MAX_DEPTH levels, MAX_CHARS characters of work (the tag value limit
 * cuts it further), cycles as "[Circular]", functions and symbols left out, bigints as strings.
 * Never throws (a throwing getter gives "[unreadable]").
 */
const MAX_DEPTH = 8;
const MAX_CHARS = 8192;

export function attributeText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v instanceof Uint8Array)
    return Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, MAX_CHARS)).toString('base64');
  if (
    Array.isArray(v) &&
    v.every((x) => x === null || x === undefined || (typeof x !== 'object' && typeof x !== 'function'))
  ) {
    return v.map((x) => (x === null || x === undefined ? '' : String(x))).join(',');
  }
  return boundedJson(v);
}

class Full extends Error {}

/** JSON of `value`, written until MAX_CHARS (then cut with "..."). */
export function boundedJson(value: unknown, maxChars = MAX_CHARS, maxDepth = MAX_DEPTH): string {
  let out = '';
  const seen = new Set<object>();
  const put = (s: string): void => {
    out += s;
    if (out.length > maxChars) throw new Full();
  };
  const write = (v: unknown, depth: number): void => {
    if (v === null || v === undefined) return put('null');
    switch (typeof v) {
      case 'string':
        return put(JSON.stringify(v.length > maxChars ? v.slice(0, maxChars) : v));
      case 'number':
        return put(Number.isFinite(v) ? String(v) : 'null');
      case 'boolean':
        return put(String(v));
      case 'bigint':
        return put(JSON.stringify(String(v)));
      case 'function':
      case 'symbol':
        return put('null');
    }
    const o = v as object;
    if (seen.has(o)) return put('"[Circular]"');
    if (depth >= maxDepth) return put(Array.isArray(o) ? '"[Array]"' : '"[Object]"');
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const j: unknown = toJSON.call(o);
      if (j !== o) return write(j, depth);
    }
    seen.add(o);
    if (Array.isArray(o)) {
      put('[');
      for (let i = 0; i < o.length; i++) {
        if (i > 0) put(',');
        write(o[i], depth + 1);
      }
      put(']');
    } else if (o instanceof Map) {
      write(Object.fromEntries(o), depth);
    } else {
      put('{');
      let first = true;
      for (const key of Object.keys(o)) {
        const item = (o as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        put(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        write(item, depth + 1);
      }
      put('}');
    }
    seen.delete(o);
  };
  try {
    write(value, 0);
    return out;
  } catch (e) {
    if (e instanceof Full) return `${out.slice(0, maxChars - 3)}...`;
    return '[unreadable]';
  }
}
