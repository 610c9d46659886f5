import type { Attributes as OtelAttributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { type BridgeOptions, resolveConfig } from '../base/config';
import { AgentControl, type SamplingCounters, sharedControls } from '../segment/agent-control';
import { requireOtelApi } from './api';
import { httpPathOf } from './attributes';
import type { Attributes } from './types';

/** The decisions of `@opentelemetry/sdk-trace-base`'s `SamplingDecision`, without importing it. */
export const SamplingDecision = { NOT_RECORD: 0, RECORD: 1, RECORD_AND_SAMPLED: 2 } as const;

/** The sampler's options: the agents' sampling and ignore settings (option > `SW_*` env > default). */
export type SkyWalkingSamplerOptions = Pick<BridgeOptions, 'sampleNPer3Secs' | 'ignoreSuffix' | 'traceIgnorePath'>;

const SERVER = 1;
const CONSUMER = 4;

/**
 * An OpenTelemetry `Sampler` that decides as SkyWalking's agents do: at most `SW_AGENT_SAMPLE`
 * new traces per 3 seconds, none whose first span's name (or, for a server span, request path)
 * ends in an ignored suffix (`SW_AGENT_IGNORE_SUFFIX`) or matches an ignore path
 * (`SW_AGENT_TRACE_IGNORE_PATH`). A trace continued from an incoming sampled header is recorded
 * (forced, as the Java agent does); one that came in not sampled (sw8 flag 0) is not. A child
 * follows its local parent. The settings follow the OAP's live configuration when a
 * `SkyWalkingSpanProcessor` in the process fetches it. Unsampled traces still propagate (sw8
 * sample flag 0 and baggage, through `SkyWalkingPropagator`).
 *
 * ```js
 * new NodeSDK({ sampler: new SkyWalkingSampler({ sampleNPer3Secs: 10 }), spanProcessors: [...] })
 * ```
 */
export class SkyWalkingSampler {
  /** @internal */
  readonly control: AgentControl;
  private readonly api: ReturnType<typeof requireOtelApi>;

  constructor(options: SkyWalkingSamplerOptions = {}) {
    this.api = requireOtelApi('SkyWalkingSampler');
    const c = resolveConfig({
      sampleNPer3Secs: options?.sampleNPer3Secs,
      ignoreSuffix: options?.ignoreSuffix,
      traceIgnorePath: options?.traceIgnorePath,
    });
    this.control = new AgentControl(c);
    sharedControls.add(this.control);
  }

  shouldSample(
    context: Context,
    _traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: OtelAttributes,
    _links: Link[],
  ): { decision: 0 | 1 | 2 } {
    try {
      return { decision: this.decide(context, spanName, spanKind as number, attributes as Attributes) };
    } catch {
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
  }

  /** Counters of the decisions (as `stats().sampling`). */
  stats(): SamplingCounters {
    return { ...this.control.counters };
  }

  toString(): string {
    const s = this.control.current();
    return `SkyWalkingSampler{sampleNPer3Secs=${s.sampleNPer3Secs}}`;
  }

  private decide(context: Context, name: string, kind: number, attributes: Attributes): 0 | 2 {
    const parent = this.api.trace.getSpanContext(context);
    const yes = SamplingDecision.RECORD_AND_SAMPLED;
    const no = SamplingDecision.NOT_RECORD;
    if (parent && this.api.isSpanContextValid(parent)) {
      const sampled = (parent.traceFlags & 1) === 1;
      if (!parent.isRemote) return sampled ? yes : no;
      return this.control.admitContinued(name, sampled) ? yes : no;
    }
    const path = kind === SERVER || kind === CONSUMER ? httpPathOf(attributes ?? {}) : '';
    return this.control.admitNew(name, path === '' ? undefined : path) ? yes : no;
  }
}
