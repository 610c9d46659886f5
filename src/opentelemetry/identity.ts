import type { Bridge } from '../bridge/bridge';
import type { Attributes } from './types';

/**
 * Service and instance for the OTel front-end. Precedence: option `serviceName` > env SW_AGENT_NAME >
 * the resource's `service.name` (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES or code; unless
 * `unknown_service*`) > default; instance: option or env > resource `service.instance.id` >
 * `<uuid>@<hostname>`. The SW_* names are SkyWalking's own, set for it: they win over the general ones.
 */
export function settleIdentity(bridge: Bridge, serviceOption: unknown, resource: Attributes | undefined): void {
  const config = bridge.config;
  const recorder = bridge.recorder;
  const name = resource?.['service.name'];
  if (
    serviceOption === undefined &&
    !config.serviceNameExplicit &&
    typeof name === 'string' &&
    name !== '' &&
    !name.startsWith('unknown_service')
  ) {
    recorder.service = name.slice(0, 200);
  }
  const instance = resource?.['service.instance.id'];
  if (!config.serviceInstanceExplicit && typeof instance === 'string' && instance !== '') {
    recorder.instance = instance.slice(0, 200);
  }
}
