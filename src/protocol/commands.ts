/**
 * The `Commands` message of the Configuration Discovery Service, as the agent reads it and the
 * embedded collector writes it: the command the OAP answers `fetchConfigurations` with, and its two
 * reserved arguments (the rest are configuration keys).
 */
export const DISCOVERY_COMMAND = 'ConfigurationDiscoveryCommand';
export const UUID_ARG = 'UUID';
export const SERIAL_ARG = 'SerialNumber';

/** `Commands` as the proto loader gives it. */
export interface CommandsLike {
  commands?: Array<{ command?: string; args?: Array<{ key?: string; value?: string }> }>;
}
