import { type BridgeOptions, type ResolvedConfig, resolveConfig } from './config';
import { ConsoleReporter, NoopReporter } from './reporter/console';
import { GrpcReporter, type GrpcReporterOptions } from './reporter/grpc';
import { KafkaReporter } from './reporter/kafka';
import type { Reporter, ReporterStats } from './reporter/types';
import { Recorder } from './segment/recorder';
import type { RecorderCounters } from './segment/segment';

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
  }

  /** The service and instance are final now: start the heartbeat (for `lateIdentity`). */
  identified(): void {
    if (this.reporter instanceof GrpcReporter || this.reporter instanceof KafkaReporter) this.reporter.startHeartbeat();
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
      this.shutdownPromise = this.reporter.shutdown(timeoutMs).catch(() => undefined);
    }
    return this.shutdownPromise;
  }

  stats(): BridgeStats {
    return { ...this.reporter.stats(), openSegments: this.recorder.openSegmentCount, recorder: { ...this.recorder.counters } };
  }
}
