/** `host:port` lists (the OAP's gRPC addresses, the Kafka bootstrap servers): checked, and what is wrong said. */

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** Split and check a comma-separated `host:port` list. */
export function parseAddresses(raw: string): string[] | undefined {
  const list = raw
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (list.length === 0) return undefined;
  for (const a of list) {
    const m = ADDRESS.exec(a);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return undefined;
  }
  return list;
}

/** What is wrong with the first bad entry of a `host:port` list, as a sentence; undefined when all are good. */
export function addressProblem(raw: string): string | undefined {
  const list = raw
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (list.length === 0) return 'it has no address in it; give host:port, e.g. "oap:11800"';
  for (const a of list) {
    const entry = `entry ${JSON.stringify(a)}`;
    const m = ADDRESS.exec(a);
    if (m) {
      const port = Number(m[2]);
      if (port >= 1 && port <= 65535) continue;
      return `${entry} has port ${m[2]}, outside 1-65535`;
    }
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(a);
    if (scheme)
      return `${entry} has a URL scheme; give host:port only (${JSON.stringify(scheme[1])}): agents report to the OAP over gRPC, not HTTP`;
    if ((a.match(/:/g) ?? []).length > 1 && !a.startsWith('['))
      return `${entry} looks like an IPv6 address; put the host in brackets, e.g. "[::1]:11800"`;
    if (!a.includes(':')) return `${entry} has no port; add the OAP's gRPC port, e.g. ${JSON.stringify(`${a}:11800`)}`;
    return `${entry} is not host:port (a host name or IP, a colon, a port number), e.g. "oap:11800"`;
  }
  return undefined;
}
