// opentracing's own API compatibility suite, run against SkyWalkingTracer with no checks skipped.
import { createRequire } from 'node:module';
import { MemoryReporter } from '../src/reporter/memory';
import { SkyWalkingTracer } from '../src/opentracing/tracer';

const require = createRequire(__filename);
const apiCompatibilityChecks = require('opentracing/lib/test/api_compatibility.js').default as (
  createTracer: () => unknown,
  options?: { skipBaggageChecks?: boolean; skipInjectExtractChecks?: boolean },
) => void;

apiCompatibilityChecks(() => new SkyWalkingTracer({ serviceName: 'compat', reporter: new MemoryReporter() }), {
  skipBaggageChecks: false,
  skipInjectExtractChecks: false,
});
