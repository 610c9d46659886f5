import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../base/config-error';
import { log } from '../base/diag';
import { type CommandsLike, DISCOVERY_COMMAND, SERIAL_ARG, UUID_ARG } from '../protocol/commands';

/** Service name → its configuration (key → value as text), in file order. */
export type AgentConfigurations = Map<string, Map<string, string>>;

/** A scalar as YAML writes it: quotes removed, a trailing `# comment` cut. */
function scalar(text: string, where: string): string {
  const t = text.trim();
  if (t.startsWith('"') || t.startsWith("'")) {
    const q = t[0]!;
    const end = t.indexOf(q, 1);
    if (end < 0) throw new ConfigError(`skywalking-bridge: ${where}: a quote is not closed`);
    const rest = t.slice(end + 1).trim();
    if (rest !== '' && !rest.startsWith('#'))
      throw new ConfigError(`skywalking-bridge: ${where}: text after the quoted value`);
    const inner = t.slice(1, end);
    return q === "'" ? inner : inner.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  const hash = t.search(/\s#/);
  return (hash < 0 ? t : t.slice(0, hash)).trim();
}

/**
 * Read the OAP's `agentConfigurations` YAML (the value of the dynamic configuration key
 * `configuration-discovery.default.agentConfigurations`), the subset it uses:
 *
 * ```yaml
 * configurations:
 *   orders:
 *     agent.sample_n_per_3_secs: 1
 *     agent.trace.ignore_path: /health/**,/metrics
 * ```
 *
 * Block mappings three levels deep, `key: value` scalars (plain, single- or double-quoted),
 * comments and blank lines. Anything else is a ConfigError naming the line.
 */
export function parseAgentConfigurations(text: string, source = 'agent configuration'): AgentConfigurations {
  const out: AgentConfigurations = new Map();
  const lines = text.split(/\r?\n/);
  let rootSeen = false;
  let serviceIndent = -1;
  let keyIndent = -1;
  let current: Map<string, string> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const where = `${source} line ${i + 1}`;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (line.includes('\t')) throw new ConfigError(`skywalking-bridge: ${where}: indent with spaces, not tabs`);
    const indent = line.length - line.trimStart().length;
    const m = /^([^:#]+?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(line.trim());
    if (!m) throw new ConfigError(`skywalking-bridge: ${where}: expected \`key: value\`, got ${JSON.stringify(line)}`);
    const key = scalar(m[1]!, where);
    const value = m[2] === undefined ? '' : scalar(m[2], where);
    if (indent === 0) {
      if (key !== 'configurations' || value !== '')
        throw new ConfigError(`skywalking-bridge: ${where}: the file starts with \`configurations:\``);
      rootSeen = true;
    } else if (!rootSeen) {
      throw new ConfigError(`skywalking-bridge: ${where}: the file starts with \`configurations:\``);
    } else if (serviceIndent < 0 || indent === serviceIndent) {
      if (value !== '') throw new ConfigError(`skywalking-bridge: ${where}: a service name is followed by its keys`);
      serviceIndent = indent;
      keyIndent = -1;
      current = new Map();
      out.set(key, current);
    } else if (indent > serviceIndent && current && (keyIndent < 0 || indent === keyIndent)) {
      keyIndent = indent;
      current.set(key, value);
    } else {
      throw new ConfigError(`skywalking-bridge: ${where}: unexpected indentation`);
    }
  }
  return out;
}

/** The OAP's UUID of one service's configuration: SHA-512 of `key:value` in order; of `EMPTY` when it has none. */
export function configurationUuid(config: ReadonlyMap<string, string> | undefined): string {
  let text = '';
  for (const [k, v] of config ?? []) text += `${k}:${v}`;
  return createHash('sha512')
    .update(config === undefined ? 'EMPTY' : text, 'utf8')
    .digest('hex');
}

/**
 * The collector's side of Configuration Discovery, as the OAP answers it: the service's
 * configuration as a `ConfigurationDiscoveryCommand` (UUID, then key/value pairs); a service with
 * none gets an empty one (so agents go back to their local values); no command when the agent
 * already has this UUID. From a file (re-read when it changes) or set in code.
 */
export class AgentConfigSource {
  private configurations: AgentConfigurations = new Map();
  private mtimeMs = -1;

  constructor(private readonly file?: string) {
    if (file !== undefined) this.reload(true);
  }

  /** Replace the configurations with these (YAML text as the OAP takes it). Throws ConfigError on bad text. */
  set(yaml: string): void {
    this.configurations = parseAgentConfigurations(yaml);
  }

  /** The answer to `fetchConfigurations`. */
  answer(request: { service?: string; uuid?: string }): CommandsLike {
    if (this.file !== undefined) this.reload(false);
    const config = this.configurations.get(request.service ?? '');
    const uuid = configurationUuid(config);
    if (request.uuid === uuid) return { commands: [] };
    const args = [
      { key: SERIAL_ARG, value: `${Date.now()}` },
      { key: UUID_ARG, value: uuid },
    ];
    for (const [key, value] of config ?? []) args.push({ key, value });
    return { commands: [{ command: DISCOVERY_COMMAND, args }] };
  }

  /** Read the file again when it changed; at start a bad file throws, later it is logged and the last good one kept. */
  private reload(first: boolean): void {
    const file = this.file!;
    try {
      const mtime = statSync(file).mtimeMs;
      if (mtime === this.mtimeMs) return;
      this.configurations = parseAgentConfigurations(readFileSync(file, 'utf8'), file);
      this.mtimeMs = mtime;
    } catch (e) {
      const message = `cannot read the agent configuration ${file}: ${(e as Error).message.replace(/^skywalking-bridge: /, '')}`;
      if (first) throw new ConfigError(`skywalking-bridge: ${message}`);
      log('warn', 'collector.agent-config', `${message}; the last good one is served`, 60_000);
    }
  }
}
