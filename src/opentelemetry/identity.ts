import type { Bridge } from '../bridge';
import type { Attributes } from './types';

/**
 * Service and instance for the OTel front-end. Precedence: option `serviceName` > the resource's
 * `service.name` (unless `unknown_service*`) > env SW_AGENT_NAME > default; instance: option or env >
 * resource `service.instance.id` > `<uuid>@<hostname>`.
 */
export function settleIdentity(bridge: Bridge, serviceOption: unknown, resource: Attributes | undefined): void {
  const config = bridge.config;
  const recorder = bridge.recorder;
  const name = resource?.['service.name'];
  if (serviceOption === undefined && typeof name === 'string' && name !== '' && !name.startsWith('unknown_service')) {
    recorder.service = name.slice(0, 200);
  }
  const instance = resource?.['service.instance.id'];
  if (!config.serviceInstanceExplicit && typeof instance === 'string' && instance !== '') {
    recorder.instance = instance.slice(0, 200);
  }
}
