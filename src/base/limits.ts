import { ConfigError } from './config-error';
import { shown } from './diag';

/**
 * Bounds on configured values past which the value cannot be what the user meant, refused at
 * construction with a message that names the bound; and which options are secrets (never shown).
 */

/** A DNS name is at most 253 characters (255 octets on the wire): a longer host cannot resolve. */
export const MAX_HOST_LENGTH = 255;
/** The OAP cuts service names past this (`SW_SERVICE_NAME_MAX_LENGTH`, NamingControl): two services sharing the first 70 characters would merge. */
export const OAP_SERVICE_NAME_MAX = 70;
/** The OAP cuts instance names past this (`SW_INSTANCE_NAME_MAX_LENGTH`). */
export const OAP_INSTANCE_NAME_MAX = 70;

/** Options whose values are never printed, only their length. */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set(['authentication']);

/** A value as a configuration message shows it: secrets by length only, the rest quoted and cut (see shown). */
export function showValue(option: string, value: string): string {
  if (SECRET_OPTIONS.has(option)) return `a value of ${value.length} characters (not shown: it is a secret)`;
  return JSON.stringify(shown(value));
}

interface Named {
  serviceName: string;
  serviceInstance: string;
  serviceInstanceExplicit: boolean;
  collectorAddresses: readonly string[];
}

function hostOf(address: string): string {
  const v6 = /^\[([^\]]*)\]/.exec(address);
  if (v6) return v6[1]!;
  const i = address.lastIndexOf(':');
  return i < 0 ? address : address.slice(0, i);
}

/** Throws a ConfigError for a name the OAP would cut or a host no resolver takes. */
export function checkLimits(c: Named): void {
  if (c.serviceName.length > OAP_SERVICE_NAME_MAX)
    throw new ConfigError(
      `skywalking-bridge: option \`serviceName\` (env SW_AGENT_NAME) is ${c.serviceName.length} characters: ${JSON.stringify(shown(c.serviceName, 40))}; the OAP cuts service names at ${OAP_SERVICE_NAME_MAX} (SW_SERVICE_NAME_MAX_LENGTH), so give one of at most ${OAP_SERVICE_NAME_MAX}.`,
    );
  if (c.serviceInstanceExplicit && c.serviceInstance.length > OAP_INSTANCE_NAME_MAX)
    throw new ConfigError(
      `skywalking-bridge: option \`serviceInstance\` (env SW_AGENT_INSTANCE_NAME) is ${c.serviceInstance.length} characters: ${JSON.stringify(shown(c.serviceInstance, 40))}; the OAP cuts instance names at ${OAP_INSTANCE_NAME_MAX} (SW_INSTANCE_NAME_MAX_LENGTH), so give one of at most ${OAP_INSTANCE_NAME_MAX}.`,
    );
  for (const a of c.collectorAddresses) {
    const host = hostOf(a);
    if (host.length > MAX_HOST_LENGTH)
      throw new ConfigError(
        `skywalking-bridge: option \`collectorAddress\` (env SW_AGENT_COLLECTOR_BACKEND_SERVICES) names a host of ${host.length} characters (${JSON.stringify(shown(host, 40))}); a host name is at most ${MAX_HOST_LENGTH}. Give the collector's host:port.`,
      );
  }
}
