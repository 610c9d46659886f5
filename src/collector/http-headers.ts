/**
 * The headers every answer of the collector's HTTP side carries. Everything it serves came from
 * agents that anyone on the port can be: no answer may be sniffed into HTML, framed, leak the
 * address it was read from, or be kept by a shared cache.
 */

/** The page: only our own script and style, talking only to this collector. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Anything but the page: nothing may run or load from it, even if a browser rendered it. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** How long a browser may keep an answer: the UI's files revalidated each time, data and errors never stored. */
export type CacheKind = 'revalidate' | 'never';

export function securityHeaders(kind: 'page' | 'data', cache: CacheKind): Record<string, string> {
  return {
    'content-security-policy': kind === 'page' ? PAGE_CSP : DATA_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': cache === 'revalidate' ? 'no-cache' : 'no-store',
  };
}

/** JSON that is safe even where a careless reader treats it as HTML: `<`, `>`, `&` and the JS line separators escaped. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The same headers as raw HTTP/1.1 lines, for answers written straight to a socket (408, 431, 400). */
export function rawSecurityHeaderLines(): string {
  return Object.entries(securityHeaders('data', 'never'))
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}
