import type { Bridge } from '../bridge';

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
