import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The cookie a browser UI sets to carry the token to the JSON API. */
export const TOKEN_COOKIE = 'sw_bridge_token';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `got === token`, in time that does not depend on where they differ (equal-length digests). */
export function tokenMatches(got: string | undefined, token: string): boolean {
  if (typeof got !== 'string') return false;
  return timingSafeEqual(digest(got), digest(token));
}

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The token an HTTP request carries: `Authorization: Bearer <t>`, else an `Authentication: <t>`
 * header (the gRPC metadata name), else the `sw_bridge_token` cookie.
 */
export function requestToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const a = headers.authentication;
  if (typeof a === 'string') return a;
  return cookie(typeof headers.cookie === 'string' ? headers.cookie : undefined, TOKEN_COOKIE);
}

/**
 * Whether a `Host` header names this server: an IP literal or `localhost` with the bound port
 * (a DNS name cannot point a browser page at us by rebinding), or a name in `allowed`
 * (`host` or `host:port`; `*` allows any).
 */
export function hostAllowed(hostHeader: string | undefined, port: number, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  if (typeof hostHeader !== 'string' || hostHeader === '') return false;
  const h = hostHeader.trim().toLowerCase();
  let name: string;
  let p: number;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
  if (v6) {
    name = v6[1]!;
    p = v6[2] === undefined ? 80 : Number(v6[2]);
    if (isIP(name) !== 6) return false;
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(h);
    if (!m) return false;
    name = m[1]!;
    p = m[2] === undefined ? 80 : Number(m[2]);
  }
  if (allowed.some((a) => a.toLowerCase() === name || a.toLowerCase() === h)) return true;
  if (p !== port) return false;
  return name === 'localhost' || isIP(name) !== 0;
}
