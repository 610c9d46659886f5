import { hostname, networkInterfaces, platform } from 'node:os';
import type { KeyStringValuePair } from '../base/model';
import { VERSION } from './version';

/** The non-internal IPv4 addresses of this host. */
export function ipv4Addresses(): string[] {
  const out: string[] = [];
  try {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
    }
  } catch {
    // no interfaces visible: report none
  }
  return out;
}

/**
 * Instance properties as the SkyWalking agents report them (`language`, `OS Name`, `hostname`,
 * one `ipv4` per address, `Process No.`), plus the Node version, this library, and the user's own.
 */
export function instanceProperties(extra: Record<string, string>): KeyStringValuePair[] {
  let host = '';
  try {
    host = hostname();
  } catch {
    // keep empty
  }
  const props: KeyStringValuePair[] = [
    { key: 'language', value: 'NodeJS' },
    { key: 'OS Name', value: platform() },
    { key: 'hostname', value: host },
    ...ipv4Addresses().map((value) => ({ key: 'ipv4', value })),
    { key: 'Process No.', value: String(process.pid) },
    { key: 'Node.js version', value: process.version },
    { key: 'agent', value: `skywalking-bridge ${VERSION}` },
  ];
  for (const [key, value] of Object.entries(extra)) props.push({ key, value });
  return props;
}
