import type { Attributes, Context, SpanKind } from '@opentelemetry/api';
import { isIP } from 'node:net';
import { parseAddresses } from '../base/addresses';

/** @opentelemetry/sdk-trace-base's SamplingDecision values (NOT_RECORD, RECORD_AND_SAMPLED). */
const NOT_RECORD = 0;
const RECORD_AND_SAMPLED = 2;

/** The span names socket instrumentations (instrumentation-net) give a connect. */
const CONNECT_SPANS: ReadonlySet<string> = new Set(['tcp.connect', 'tls.connect', 'connect']);

type SpanContextOf = (context: Context) => { traceFlags: number } | undefined;

/**
 * Whether a span is one of our own connections to the collector: a connect span with no parent
 * (ours run with tracing suppressed; one that starts outside, such as a reconnect from a timer,
 * has no parent) to a collector port, at a collector host or an IP literal (what it resolved to).
 */
export function isOwnConnection(
  spanName: string,
  attributes: Attributes,
  collector: ReadonlyArray<{ host: string; port: number }>,
): boolean {
  if (!CONNECT_SPANS.has(spanName)) return false;
  const host = String(attributes['server.address'] ?? attributes['net.peer.name'] ?? '');
  const port = Number(attributes['server.port'] ?? attributes['net.peer.port']);
  return collector.some((c) => c.port === port && (c.host === host || isIP(host) !== 0));
}

function endpoints(addresses: readonly string[]): Array<{ host: string; port: number }> {
  const out: Array<{ host: string; port: number }> = [];
  for (const a of parseAddresses(addresses.join(',')) ?? []) {
    const i = a.lastIndexOf(':');
    out.push({ host: a.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(a.slice(i + 1)) });
  }
  return out;
}

/**
 * The register's sampler: parent-based always-on (the SDK's default) that records no root connect
 * span to the collector, so the library's own connections never show as a trace whatever
 * instrumentations are on. Installed only when OTEL_TRACES_SAMPLER does not choose another.
 */
/** A sampler the guard hands every other decision to (the register's `SkyWalkingSampler` when SW_AGENT_SAMPLE is set). */
export interface InnerSampler {
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    kind: SpanKind,
    attributes: Attributes,
    links: unknown[],
  ): { decision: number };
}

export function ownConnectionSampler(addresses: readonly string[], spanContextOf: SpanContextOf, inner?: InnerSampler) {
  const collector = endpoints(addresses);
  return {
    shouldSample(
      context: Context,
      traceId: string,
      spanName: string,
      kind: SpanKind,
      attributes: Attributes,
      links: unknown[] = [],
    ) {
      const parent = spanContextOf(context);
      if (inner) {
        if (!parent && isOwnConnection(spanName, attributes, collector)) return { decision: NOT_RECORD };
        return inner.shouldSample(context, traceId, spanName, kind, attributes, links);
      }
      if (parent) return { decision: parent.traceFlags & 1 ? RECORD_AND_SAMPLED : NOT_RECORD };
      return { decision: isOwnConnection(spanName, attributes, collector) ? NOT_RECORD : RECORD_AND_SAMPLED };
    },
    toString: () => `SkyWalkingOwnConnectionSampler{${inner ? String(inner) : 'ParentBased(AlwaysOn)'}}`,
  };
}

/** Sets `config.sampler` to ownConnectionSampler (collector and Kafka addresses) around `inner`, or, without one, unless the environment names a sampler. */
export function guardOwnConnections(
  config: Record<string, unknown>,
  bridge: { collectorAddresses: readonly string[]; kafka?: { bootstrapServers: readonly string[] } },
  env: Record<string, string | undefined> = process.env,
  inner?: InnerSampler,
): void {
  // OTEL_TRACES_SAMPLER's sampler stands as it is; ours (SW_AGENT_SAMPLE) is wrapped
  if (!inner && (env.OTEL_TRACES_SAMPLER ?? '').trim() !== '') return;
  const addresses = [...bridge.collectorAddresses, ...(bridge.kafka?.bootstrapServers ?? [])];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  config.sampler = ownConnectionSampler(addresses, (c) => api.trace.getSpanContext(c), inner);
}
