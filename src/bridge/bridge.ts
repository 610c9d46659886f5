import { type BridgeOptions, type ResolvedConfig, resolveConfig } from '../base/config';
import { ConsoleReporter, NoopReporter } from '../reporter/console';
import { GrpcReporter, type GrpcReporterOptions } from '../reporter/grpc';
import { KafkaReporter } from '../reporter/kafka';
import { LineReporter } from '../reporter/line';
import type { Reporter, ReporterStats } from '../reporter/types';
import { Recorder } from '../segment/recorder';
import type { RecorderCounters } from '../segment/segment';
import type { SamplingCounters } from '../segment/agent-control';
import { type LogRecordInput, buildLogData, levelPasses } from '../logs/record';
import type { LogData, LogDataWriter } from '../protocol/log-encoder';
import { log } from '../base/diag';
import { type ConfigDiscovery, type DiscoveryCounters, discoveryOverGrpc } from '../reporter/config-discovery';

/** Options of every front-end: the shared options, plus a reporter instance to use instead of the configured one. */
export interface FrontEndOptions extends Omit<BridgeOptions, 'reporter'> {
  /** `grpc` (default), `console`, `none`, or a `Reporter` instance (e.g. `MemoryReporter` in tests). */
  reporter?: BridgeOptions['reporter'] | Reporter;
}

/** How a front-end wants its Bridge built (not user options). */
export interface BridgeInternals {
  /** The service name is learnt later (from an OTel resource): the heartbeat waits for `identified()`. */
  lateIdentity?: boolean;
}

export interface BridgeStats extends ReporterStats {
  openSegments: number;
  recorder: RecorderCounters;
  /** Sampling and ignore rules: traces sampled, not sampled, forced, ignored. */
  sampling: SamplingCounters;
  /** The OAP's live configuration (Configuration Discovery), when it is asked for. */
  configDiscovery?: DiscoveryCounters;
}

/** Anything that owns a Bridge: `SkyWalkingTracer`, `SkyWalkingSpanProcessor`, `SkyWalkingTraceExporter`. */
export interface BridgeOwner {
  readonly bridge: Bridge;
}

export function isBridgeOwner(value: unknown): value is BridgeOwner {
  try {
    return (
      typeof value === 'object' && value !== null && typeof (value as BridgeOwner).bridge?.reportLog === 'function'
    );
  } catch {
    return false;
  }
}

function isReporter(value: unknown): value is Reporter {
  return typeof value === 'object' && value !== null && typeof (value as Reporter).report === 'function';
}

/** Build the configured reporter. */
export function createReporter(config: ResolvedConfig, grpcOptions: GrpcReporterOptions = {}): Reporter {
  switch (config.reporter) {
    case 'console':
      return new ConsoleReporter();
    case 'none':
      return new NoopReporter();
    case 'kafka':
      return new KafkaReporter(config, grpcOptions);
    case 'line':
      return new LineReporter(config, grpcOptions);
    default:
      return new GrpcReporter(config, grpcOptions);
  }
}

/**
 * What each front-end owns: resolved configuration, a reporter and a recorder. Construction
 * validates the options (throws `ConfigError` with what to change); nothing after that throws.
 */
export class Bridge {
  readonly config: ResolvedConfig;
  readonly reporter: Reporter;
  readonly recorder: Recorder;
  private shutdownPromise: Promise<void> | undefined;
  /** Asks the OAP for live settings (gRPC and Kafka reporters, as the agents: over gRPC). */
  /** @internal */
  readonly discovery: { client: ConfigDiscovery; close: () => void } | undefined;
  /** Log records refused before the reporter (logging off, shut down, a bug building one), and those under the minimum level. */
  private logsDropped = 0;
  private logsFiltered = 0;

  constructor(options: FrontEndOptions = {}, internals: BridgeInternals = {}) {
    const { reporter, ...rest } = options ?? {};
    const custom = isReporter(reporter) ? reporter : undefined;
    this.config = resolveConfig(custom ? rest : (options as BridgeOptions));
    this.reporter =
      custom ??
      createReporter(this.config, {
        identity: () => ({ service: this.recorder.service, instance: this.recorder.instance }),
        lateIdentity: internals.lateIdentity,
      });
    this.recorder = new Recorder(this.config, this.reporter);
    if (!custom && (this.config.reporter === 'grpc' || this.config.reporter === 'kafka')) {
      this.discovery = discoveryOverGrpc(this.config, this.recorder.control, () => this.recorder.service);
      if (!internals.lateIdentity) this.discovery?.client.start();
    }
  }

  /** The service and instance are final now: start the heartbeat (for `lateIdentity`). */
  identified(): void {
    if (
      this.reporter instanceof GrpcReporter ||
      this.reporter instanceof KafkaReporter ||
      this.reporter instanceof LineReporter
    )
      this.reporter.startHeartbeat();
    if (!this.isShutdown) this.discovery?.client.start();
  }

  get isShutdown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /** Deliver closed segments; resolves within the timeout, never rejects. */
  flush(timeoutMs?: number): Promise<void> {
    return this.reporter.flush(timeoutMs).catch(() => undefined);
  }

  /** Flush and release the reporter; idempotent, never rejects. Open segments stay unreported. */
  shutdown(timeoutMs?: number): Promise<void> {
    if (!this.shutdownPromise) {
      this.recorder.stop();
      this.discovery?.close();
      this.shutdownPromise = this.reporter.shutdown(timeoutMs).catch(() => undefined);
    }
    return this.shutdownPromise;
  }

  stats(): BridgeStats {
    const stats: BridgeStats = {
      ...this.reporter.stats(),
      openSegments: this.recorder.openSegmentCount,
      recorder: { ...this.recorder.counters },
      sampling: { ...this.recorder.control.counters },
    };
    if (this.discovery) stats.configDiscovery = { ...this.discovery.client.counters };
    const logs = stats.logs ?? { queued: 0, sent: 0, dropped: 0, lost: 0 };
    stats.logs = { ...logs, dropped: logs.dropped + this.logsDropped, filtered: this.logsFiltered };
    return stats;
  }

  /**
   * Report a log record: under the minimum level it is filtered; else it gets the trace context of
   * its span (or of the active OTel context) and goes to the reporter. Never throws.
   */
  reportLog(record: LogRecordInput): void {
    try {
      if (record === null || typeof record !== 'object') {
        this.logsDropped++;
        return;
      }
      if (this.refuses()) return;
      let level: unknown;
      try {
        level = record.level;
      } catch {
        this.logsDropped++; // a hostile record (a throwing Proxy): nothing to report
        return;
      }
      if (this.filters(level)) return;
      this.reportLogData(
        buildLogData(record, {
          config: this.config,
          service: this.recorder.service,
          serviceInstance: this.recorder.instance,
        }),
      );
    } catch (e) {
      this.buildFailed(e);
    }
  }

  /**
   * @internal Report a record that writes its own `LogData` (a pino line read in place), with its
   * level name for the minimum level: as `reportLog`, without the record objects. Never throws.
   */
  reportLogWriter(record: LogDataWriter, level: string): void {
    try {
      if (this.refuses() || this.filters(level)) return;
      if (this.reporter.reportLogWriter) this.reporter.reportLogWriter(record);
      else this.reportLogData(record.logData());
    } catch (e) {
      this.buildFailed(e);
    }
  }

  /** Logging is off or the bridge is shut down: the record is counted dropped. */
  private refuses(): boolean {
    if (this.config.logReporterActive && !this.isShutdown) return false;
    this.logsDropped++;
    return true;
  }

  /** The record is under the minimum level: counted filtered. */
  private filters(level: unknown): boolean {
    if (levelPasses(this.config, level)) return false;
    this.logsFiltered++;
    return true;
  }

  private buildFailed(e: unknown): void {
    this.logsDropped++;
    log(
      'error',
      'logs.build',
      `a log record could not be built and was dropped (${String(e)}); this is a bug in skywalking-bridge: please report it`,
    );
  }

  /** Hand a built record to the reporter (one without log support drops it, counted). */
  reportLogData(data: LogData): void {
    if (this.reporter.reportLog) this.reporter.reportLog(data);
    else this.logsDropped++;
  }
}
