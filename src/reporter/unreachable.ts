/**
 * One clear line for "the collector cannot be reached": the cause in plain words (from grpc-js's
 * details, without its fragments such as an empty "Resolution note:" or timestamps), what to check,
 * and a hint when the server there is not gRPC at all (the OAP's HTTP port 12800, for example).
 */
const CAUSES: Array<[RegExp, string]> = [
  [/ECONNREFUSED/, 'connection refused (nothing listens on that port)'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS resolution failed|Name resolution failed/i, 'the host name does not resolve'],
  [
    /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Deadline exceeded|deadline/i,
    'no answer in time (host unreachable or a firewall)',
  ],
  [/ECONNRESET|EPIPE|socket hang up/i, 'the connection was reset'],
  [
    /Protocol error|RST_STREAM|parsing error|Received HTTP status code|unexpected HTTP|Bad Request|http2/i,
    'the server there does not speak gRPC',
  ],
  [/certificate|SSL|TLS|handshake/i, 'the TLS handshake failed (check secure / the CA and certificate paths)'],
];

/** The cause in plain words; the cleaned grpc-js text when no pattern fits. */
export function unreachableCause(details: string | undefined): string {
  const text = cleanDetails(details ?? '');
  for (const [re, cause] of CAUSES) if (re.test(text)) return cause;
  return text === '' ? 'no connection within the report timeout' : text;
}

/** grpc-js's details without the boilerplate around the last error. */
export function cleanDetails(details: string): string {
  let t = details.replace(/\s*Resolution note:.*$/s, '');
  const last = /Last error:\s*(.*)$/s.exec(t);
  if (last) t = last[1]!;
  return t
    .replace(/^Error:\s*/, '')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/g, '')
    .replace(/^No connection established\.?\s*/, '')
    .replace(/[.\s]+$/, '')
    .trim();
}

export function unreachableMessage(address: string, details: string | undefined, queued: number): string {
  const cause = unreachableCause(details);
  const hint =
    cause === 'the server there does not speak gRPC' || /:12800$/.test(address)
      ? ": is it the OAP's HTTP port (12800)? Agents report over gRPC, on the OAP's port 11800 by default"
      : '';
  return `cannot reach the SkyWalking collector at ${address}: ${cause}${hint}. ${queued} segment(s) queued, retrying with backoff; check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option \`collectorAddress\`).`;
}

/** The HTTP status in grpc-js's or our HTTP/2 caller's details when an HTTP server answered instead of gRPC. */
export function httpStatusIn(details: string | undefined): number | undefined {
  const m = /(?:Received HTTP status code|HTTP status) (\d{3})/.exec(details ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * One line for a call the collector address answered with something else than gRPC's OK: the
 * status and details, and when a plain HTTP answer came back (a 404 from a proxy, an ingress or a
 * web server on that port), what is usually in the way.
 */
export function failedCallMessage(
  what: string,
  address: string,
  codeName: string,
  details: string | undefined,
): string {
  const base = `${what} to ${address} failed: ${codeName} ${details ?? ''}`.trimEnd();
  const http = httpStatusIn(details);
  if (http === undefined) return base;
  return (
    `${base}: an HTTP server answered (status ${http}) where gRPC was expected. Usually a proxy or ingress in the way that does not pass gRPC through (it must forward HTTP/2 to the OAP's gRPC port), ` +
    "or the wrong port (the OAP takes agents' gRPC on 11800; 12800 is its HTTP port). Check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option `collectorAddress`)."
  );
}
