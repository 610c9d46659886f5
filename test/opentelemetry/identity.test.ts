/**
 * Which service name the OTel front-end reports: option > SW_AGENT_NAME > the resource's
 * service.name (OTEL_SERVICE_NAME through the SDK's env detector) > default. Real SDK, real detector.
 */
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { MemoryReporter } from '../../src/reporter/memory';

afterEach(() => {
  vi.unstubAllEnvs();
});

function reported(
  env: Record<string, string>,
  options: { serviceName?: string } = {},
): { service: string; instance: string } {
  for (const k of [
    'SW_AGENT_NAME',
    'SW_AGENT_INSTANCE_NAME',
    'SW_AGENT_INSTANCE',
    'OTEL_SERVICE_NAME',
    'OTEL_RESOURCE_ATTRIBUTES',
  ])
    vi.stubEnv(k, env[k] ?? '');
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter, ...options });
  const provider = new BasicTracerProvider({
    resource: detectResources({ detectors: [envDetector] }),
    spanProcessors: [processor],
  });
  provider.getTracer('t').startSpan('op').end();
  void processor.shutdown();
  const seg = reporter.segments[0]!;
  return { service: seg.service, instance: seg.serviceInstance };
}

it('SW_AGENT_NAME wins over OTEL_SERVICE_NAME, whichever is set first', () => {
  expect(reported({ OTEL_SERVICE_NAME: 'otel-name', SW_AGENT_NAME: 'sw-name' }).service).toBe('sw-name');
  expect(reported({ SW_AGENT_NAME: 'sw-name', OTEL_SERVICE_NAME: 'otel-name' }).service).toBe('sw-name');
  expect(reported({ SW_AGENT_NAME: 'sw-name', OTEL_RESOURCE_ATTRIBUTES: 'service.name=attr-name' }).service).toBe(
    'sw-name',
  );
});

it('OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) names the service when SW_AGENT_NAME is not set', () => {
  expect(reported({ OTEL_SERVICE_NAME: 'otel-name' }).service).toBe('otel-name');
  expect(reported({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=attr-name,service.instance.id=i-7' })).toEqual({
    service: 'attr-name',
    instance: 'i-7',
  });
});

it('the option wins over both; with neither, the default', () => {
  expect(
    reported({ OTEL_SERVICE_NAME: 'otel-name', SW_AGENT_NAME: 'sw-name' }, { serviceName: 'opt-name' }).service,
  ).toBe('opt-name');
  expect(reported({}).service).toBe('your-nodejs-service');
});

it('SW_AGENT_INSTANCE_NAME wins over service.instance.id', () => {
  expect(
    reported({ SW_AGENT_INSTANCE_NAME: 'sw-1', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=otel-1' }).instance,
  ).toBe('sw-1');
});
