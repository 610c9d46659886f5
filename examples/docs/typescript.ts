// TypeScript: import the subpath of the peer you have (here `opentracing`, not the root entry).
import { globalTracer, initGlobalTracer, Tags } from 'opentracing';
import { ConfigError, SkyWalkingTracer, traceIdText } from 'skywalking-bridge/opentracing';

let tracer: SkyWalkingTracer;
try {
  tracer = new SkyWalkingTracer({ serviceName: 'orders' });
} catch (e) {
  if (e instanceof ConfigError) console.error(e.message); // says which option to change
  throw e;
}
initGlobalTracer(tracer);

const span = globalTracer().startSpan('load-orders', { tags: { [Tags.COMPONENT]: 'orders' } });
console.log(`trace ${traceIdText(span)}`);
span.finish();
void tracer.shutdown();
