import type { ResolvedConfig } from '../base/config';
import { matchAnyPath } from './ignore-path';
import { TraceSampler } from './sampler';
import type { SegmentLimits } from './segment';

/**
 * Controls that take the OAP's live settings besides each recorder's own: those of the
 * `SkyWalkingSampler`s in this process (the Configuration Discovery client applies to all).
 */
export const sharedControls = new Set<AgentControl>();

/** What `stats().sampling` counts. */
export interface SamplingCounters {
  /** New traces started here and recorded while sampling was on. */
  sampled: number;
  /** New traces started here and not recorded: the window's places were taken. */
  notSampled: number;
  /** Traces continued from an incoming sw8 (sample flag 1): recorded, taking a place when sampling is on. */
  forced: number;
  /** Segments continued from an incoming sw8 with sample flag 0 (not sampled upstream): not recorded. */
  unsampledIn: number;
  /** Segments not recorded because the first span's operation name ends in an ignored suffix. */
  ignoredSuffix: number;
  /** New traces not recorded because the first span's operation name matches an ignore path. */
  ignoredPath: number;
}

/** The settings the OAP may change live (Configuration Discovery): undefined = the local value. */
export interface LiveSettings {
  sampleNPer3Secs?: number;
  ignoreSuffix?: readonly string[];
  traceIgnorePath?: readonly string[];
  spanLimit?: number;
}

/**
 * The agent's trace admission, as the Java agent's `ContextManagerExtendService` and
 * `SamplingService` (+ trace-ignore plugin): one decision when a segment starts, never per span.
 * A suffix match ignores any segment; an ignore-path match and the sampling window apply only to a
 * trace started here; a trace continued from a sampled sw8 is recorded (forced).
 */
export class AgentControl {
  readonly counters: SamplingCounters = {
    sampled: 0,
    notSampled: 0,
    forced: 0,
    unsampledIn: 0,
    ignoredSuffix: 0,
    ignoredPath: 0,
  };
  private readonly sampler: TraceSampler;
  private suffixes: ReadonlySet<string>;
  private longestSuffix = 0;
  private paths: readonly string[];

  constructor(
    private readonly local: Pick<ResolvedConfig, 'sampleNPer3Secs' | 'ignoreSuffix' | 'traceIgnorePath' | 'spanLimit'>,
    /** The recorder's limits: `spanLimit` is changed in place. */
    private readonly limits?: SegmentLimits,
  ) {
    this.sampler = new TraceSampler(local.sampleNPer3Secs);
    this.suffixes = new Set();
    this.setSuffixes(local.ignoreSuffix);
    this.paths = local.traceIgnorePath;
  }

  /** The settings in force now. */
  current(): Required<LiveSettings> {
    return {
      sampleNPer3Secs: this.sampler.rate,
      ignoreSuffix: [...this.suffixes],
      traceIgnorePath: [...this.paths],
      spanLimit: this.limits?.spanLimit ?? this.local.spanLimit,
    };
  }

  /** Apply live settings; a setting left undefined goes back to its local value. */
  apply(live: LiveSettings, now: number = Date.now()): void {
    this.sampler.setRate(live.sampleNPer3Secs ?? this.local.sampleNPer3Secs, now);
    this.setSuffixes(live.ignoreSuffix ?? this.local.ignoreSuffix);
    this.paths = live.traceIgnorePath ?? this.local.traceIgnorePath;
    if (this.limits) this.limits.spanLimit = live.spanLimit ?? this.local.spanLimit;
  }

  /**
   * Whether a new trace started here with this first operation name is recorded. `path` (the
   * request path of an OpenTelemetry server span, whose operation name is `METHOD:route`) is
   * checked too, as the Java agent checks the path its HTTP plugins use as operation name.
   * `now`: the clock already read by the caller (epoch ms), if any.
   */
  admitNew(operationName: string, path?: string, now?: number): boolean {
    if (this.ignoredSuffix(operationName) || (path !== undefined && this.ignoredSuffix(path))) return false;
    if (
      this.paths.length > 0 &&
      (matchAnyPath(this.paths, operationName) || (path !== undefined && matchAnyPath(this.paths, path)))
    ) {
      this.counters.ignoredPath++;
      return false;
    }
    if (this.sampler.rate <= 0) return true;
    if (this.sampler.trySample(now ?? Date.now())) {
      this.counters.sampled++;
      return true;
    }
    this.counters.notSampled++;
    return false;
  }

  /** Whether a segment continued from an incoming sw8 (its sample flag) is recorded. */
  admitContinued(operationName: string, sampledUpstream: boolean): boolean {
    if (!sampledUpstream) {
      this.counters.unsampledIn++;
      return false;
    }
    if (this.ignoredSuffix(operationName)) return false;
    this.counters.forced++;
    this.sampler.force(Date.now());
    return true;
  }

  private setSuffixes(list: readonly string[]): void {
    this.suffixes = new Set(list);
    this.longestSuffix = list.reduce((n, x) => Math.max(n, x.length), 0);
  }

  private ignoredSuffix(operationName: string): boolean {
    if (this.suffixes.size === 0) return false;
    // the suffix is the text from the last '.'; only the last `longestSuffix` characters can hold it
    const end = operationName.length;
    const stop = Math.max(0, end - this.longestSuffix);
    let dot = -1;
    for (let i = end - 1; i >= stop; i--) {
      if (operationName.charCodeAt(i) === 46) {
        dot = i;
        break;
      }
    }
    if (dot < 0 || !this.suffixes.has(operationName.slice(dot))) return false;
    this.counters.ignoredSuffix++;
    return true;
  }
}
