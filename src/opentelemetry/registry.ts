import type { LegacyFormat } from '../base/config';
import type { Sw8Extension } from '../propagation/extension';
import type { Sw8Context } from '../propagation/sw8';

/** Context keys (Symbol.for, so two copies of this package agree). */
export const REMOTE_SW8_KEY = Symbol.for('skywalking-bridge.remote-sw8');
export const LEGACY_PARENT_KEY = Symbol.for('skywalking-bridge.legacy-parent');
/** The SDK's RPC metadata key (core's setRPCMetadata); the express instrumentation stores the route there. */
export const RPC_METADATA_KEY = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

export interface RemoteParent {
  sw8: Sw8Context;
  ext: Sw8Extension | undefined;
  /** The OTel ids the propagator gave this parent (hashed once, at extract). */
  otelTraceId: string;
  otelSpanId: string;
}

export interface LegacyParent {
  format: LegacyFormat;
}

/**
 * Recently extracted sw8 parents by the OTel span id we gave them (hexSpanIdOf), so the exporter,
 * which sees no contexts, can still make CrossProcess refs. Bounded.
 */
const remoteBySpanId = new Map<string, RemoteParent>();
const MAX_REMOTE = 4096;

export function rememberRemote(otelSpanId: string, parent: RemoteParent): void {
  if (remoteBySpanId.size >= MAX_REMOTE) remoteBySpanId.delete(remoteBySpanId.keys().next().value!);
  remoteBySpanId.set(otelSpanId, parent);
}

export function remoteBySpan(otelSpanId: string): RemoteParent | undefined {
  return remoteBySpanId.get(otelSpanId);
}

/** OTel (hex) trace id -> the original SkyWalking trace id it was hashed from. Bounded. */
const originals = new Map<string, string>();
const MAX_ORIGINALS = 4096;

export function rememberOriginalTraceId(hex: string, original: string): void {
  if (hex === original) return;
  if (originals.size >= MAX_ORIGINALS) originals.delete(originals.keys().next().value!);
  originals.set(hex, original);
}

/** The SkyWalking trace id for an OTel trace id. */
export function originalTraceId(hex: string): string {
  // most services never see a non-hex id: no lookup (which would hash the fresh id string) then
  return originals.size === 0 ? hex : (originals.get(hex) ?? hex);
}
