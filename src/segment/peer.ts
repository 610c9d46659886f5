/** Peer strings as SkyWalking agents write them: `host:port`, IPv6 in brackets. */

/** `host:port` (or `host` without a port); IPv6 hosts are bracketed. Empty string for no host. */
export function joinHostPort(host: unknown, port: unknown): string {
  if (typeof host !== 'string' || host.trim() === '') return '';
  let h = host.trim();
  if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
  const p =
    typeof port === 'number'
      ? Number.isInteger(port) && port > 0
        ? String(port)
        : ''
      : typeof port === 'string' && /^\d{1,5}$/.test(port.trim())
        ? port.trim()
        : '';
  return p === '' ? h : `${h}:${p}`;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/** The `host:port` of a URL (default port filled in for http/https), or '' when it is not an absolute URL. */
export function hostPortOfUrl(url: unknown): string {
  if (typeof url !== 'string' || url.length > 8192 || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return '';
  try {
    const u = new URL(url);
    if (u.hostname === '') return '';
    const port = u.port || DEFAULT_PORTS[u.protocol] || '';
    return port ? `${u.host.replace(/:\d+$/, '')}:${port}` : u.host;
  } catch {
    return '';
  }
}

/** The path of a URL without query or fragment ('' when not parseable). */
export function pathOfUrl(url: unknown): string {
  if (typeof url !== 'string' || url.length > 8192) return '';
  const start = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url.indexOf('/', url.indexOf('//') + 2) : 0;
  if (start < 0) return '/';
  const rest = url.slice(start);
  const end = rest.search(/[?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}
