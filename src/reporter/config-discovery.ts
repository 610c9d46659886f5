import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { loadServices } from '../protocol/loader';
import { type AgentControl, type LiveSettings, sharedControls } from '../segment/agent-control';
import { parseDynamicValue } from './dynamic-keys';
import { CHANNEL_OPTIONS, credentialsOf, metadataOf, readTlsFiles, waitUntilReady } from './channel';
import { withoutTracing } from './suppress';

import { type CommandsLike, DISCOVERY_COMMAND, SERIAL_ARG, UUID_ARG } from '../protocol/commands';

export { type CommandsLike, DISCOVERY_COMMAND };

/** One answer: the configuration's UUID and its key/value pairs. */
export interface DiscoveryAnswer {
  uuid: string | undefined;
  config: Map<string, string>;
}

/** The discovery command of an answer; undefined when it has none (nothing changed, or no configuration). */
export function readDiscoveryCommand(commands: CommandsLike | undefined): DiscoveryAnswer | undefined {
  for (const c of commands?.commands ?? []) {
    if (c.command !== DISCOVERY_COMMAND) continue;
    let uuid: string | undefined;
    const config = new Map<string, string>();
    for (const { key = '', value = '' } of c.args ?? []) {
      if (key === UUID_ARG) uuid = value;
      else if (key !== SERIAL_ARG && key !== '') config.set(key, value);
    }
    return { uuid, config };
  }
  return undefined;
}

/** What `stats().configDiscovery` counts. */
export interface DiscoveryCounters {
  /** Calls started. */
  requests: number;
  /** Calls answered. */
  fetches: number;
  /** Calls that failed (the OAP away, or without the service). */
  failures: number;
  /** Answers with a new UUID, applied. */
  applied: number;
  /** Keys we do not apply (e.g. `plugin.*`), counted once per answer. */
  unknownKeys: number;
  /** Values we could not read (then the local value holds). */
  invalidValues: number;
}

/** How the client reaches the OAP: one unary call (a test gives its own). */
export type FetchConfigurations = (request: { service: string; uuid: string }) => Promise<CommandsLike>;

export interface ConfigDiscoveryOptions {
  /** Seconds between fetches (the first is at start). */
  intervalSeconds: number;
  /** The service asked for (read at every fetch: the OTel front-end learns it late). */
  service: () => string;
  /** Where the settings go; besides these, every `SkyWalkingSampler` in the process. */
  controls: readonly AgentControl[];
  fetch: FetchConfigurations;
}

/**
 * The Configuration Discovery client, as the Java agent's `ConfigurationDiscoveryService`: asks
 * the OAP for the service's configuration at start and every `intervalSeconds`, sending the UUID
 * of the last answer applied (the OAP answers with no command when nothing changed). Applies the
 * keys the agents document (`agent.sample_n_per_3_secs`, `agent.ignore_suffix`,
 * `agent.trace.ignore_path`, `agent.span_limit_per_segment`); a key missing from an answer (or
 * blank) goes back to the local value; other keys are counted and ignored. Each change is logged
 * once. Never throws; failures are counted.
 */
export class ConfigDiscovery {
  readonly counters: DiscoveryCounters = {
    requests: 0,
    fetches: 0,
    failures: 0,
    applied: 0,
    unknownKeys: 0,
    invalidValues: 0,
  };
  private uuid = '';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: ConfigDiscoveryOptions) {}

  start(): void {
    if (this.timer || this.options.intervalSeconds <= 0) return;
    void this.fetchNow();
    this.timer = setInterval(() => void this.fetchNow(), this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One fetch (or the one already on the wire); resolves when its answer is applied, never rejects. */
  fetchNow(): Promise<void> {
    this.inFlight ??= this.fetchOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchOnce(): Promise<void> {
    let commands: CommandsLike;
    this.counters.requests++;
    try {
      commands = await this.options.fetch({ service: this.options.service(), uuid: this.uuid });
    } catch (e) {
      this.counters.failures++;
      log('debug', 'cds.fetch', `configuration discovery failed: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    this.counters.fetches++;
    this.handle(readDiscoveryCommand(commands));
  }

  /** Apply one answer (undefined: no command, nothing changed). */
  handle(answer: DiscoveryAnswer | undefined): void {
    if (!answer) return;
    if (answer.uuid !== undefined && answer.uuid === this.uuid) return;
    const live: LiveSettings = {};
    for (const [key, value] of answer.config) {
      const parsed = parseDynamicValue(key, value);
      if (parsed === 'unknown') {
        this.counters.unknownKeys++;
        log('debug', `cds.unknown.${key}`, `the OAP's configuration key ${key} is not one this agent applies; ignored`);
      } else if (parsed === 'invalid') {
        this.counters.invalidValues++;
        log(
          'warn',
          `cds.invalid.${key}`,
          `the OAP's configuration gives ${key} = ${JSON.stringify(value)}, which is not valid; the local value stays`,
          10 * 60_000,
        );
      } else if (parsed !== undefined) {
        Object.assign(live, parsed);
      }
    }
    const controls = [...this.options.controls, ...sharedControls];
    const before = controls[0] ? settingsText(controls[0]) : undefined;
    for (const c of controls) c.apply(live);
    this.uuid = answer.uuid ?? '';
    this.counters.applied++;
    if (before) this.logChanges(before, settingsText(controls[0]!), live);
  }

  /** One line per setting that changed. */
  private logChanges(before: Map<string, string>, after: Map<string, string>, live: LiveSettings): void {
    for (const [key, value] of after) {
      if (before.get(key) === value) continue;
      const fromOap = live[FIELD_OF[key]!] !== undefined;
      log(
        'warn',
        `cds.change.${key}`,
        `skywalking-bridge: ${key} is now ${JSON.stringify(value)} for service ${this.options.service()} (${fromOap ? "from the OAP's configuration discovery" : 'the local value: the OAP no longer sets it'})`,
        0,
      );
    }
  }
}

const FIELD_OF: Record<string, keyof LiveSettings> = {
  'agent.sample_n_per_3_secs': 'sampleNPer3Secs',
  'agent.ignore_suffix': 'ignoreSuffix',
  'agent.trace.ignore_path': 'traceIgnorePath',
  'agent.span_limit_per_segment': 'spanLimit',
};

/** The settings in force, as the OAP's keys and their text. */
function settingsText(control: AgentControl): Map<string, string> {
  const now = control.current();
  return new Map<string, string>([
    ['agent.sample_n_per_3_secs', String(now.sampleNPer3Secs)],
    ['agent.ignore_suffix', now.ignoreSuffix.join(',')],
    ['agent.trace.ignore_path', now.traceIgnorePath.join(',')],
    ['agent.span_limit_per_segment', String(now.spanLimit)],
  ]);
}

/** A started client's `fetch`: `ConfigurationDiscoveryService/fetchConfigurations` on the collector addresses, in order. */
export function grpcFetcher(config: ResolvedConfig): { fetch: FetchConfigurations; close: () => void } {
  const tls = readTlsFiles(config);
  let index = 0;
  let client: grpcTypes.Client | undefined;
  const close = (): void => {
    try {
      client?.close();
    } catch {
      // already closed
    }
    client = undefined;
  };
  const fetch: FetchConfigurations = async (request) => {
    const { grpc, ConfigurationDiscoveryService } = loadServices();
    const address = config.collectorAddresses[index % config.collectorAddresses.length]!;
    const ready = (client ??= withoutTracing(
      () => new ConfigurationDiscoveryService(address, credentialsOf(grpc, config.secure, tls), CHANNEL_OPTIONS),
    ));
    const deadline = Date.now() + config.reportTimeoutMs;
    // connected (or failed: the call then fails at once) first: a call made while the channel connects
    // holds its deadline in a grpc-js timer that keeps the process alive (a collector that accepts and
    // never answers)
    const channel = ready.getChannel();
    if (
      channel.getConnectivityState(true) !== grpc.connectivityState.READY &&
      !(await waitUntilReady(grpc, channel, deadline, true))
    ) {
      index++;
      close();
      throw new Error(`the collector at ${address} did not connect within ${config.reportTimeoutMs} ms`);
    }
    return new Promise((resolve, reject) => {
      const call = (ready as unknown as Record<string, (...args: unknown[]) => void>).fetchConfigurations!;
      withoutTracing(() =>
        call.call(
          ready,
          request,
          metadataOf(grpc, config.authentication),
          { deadline },
          (error: grpcTypes.ServiceError | null, answer: CommandsLike) => {
            if (!error) return resolve(answer);
            // the next address next time
            index++;
            close();
            reject(error);
          },
        ),
      );
    });
  };
  return { fetch, close };
}

/** A client over gRPC for a front-end's configuration and recorder control; undefined when the interval is 0. */
export function discoveryOverGrpc(
  config: ResolvedConfig,
  control: AgentControl,
  service: () => string,
): { client: ConfigDiscovery; close: () => void } | undefined {
  if (config.dynamicConfigInterval <= 0) return undefined;
  const transport = grpcFetcher(config);
  const client = new ConfigDiscovery({
    intervalSeconds: config.dynamicConfigInterval,
    service,
    controls: [control],
    fetch: transport.fetch,
  });
  return {
    client,
    close: () => {
      client.stop();
      transport.close();
    },
  };
}
