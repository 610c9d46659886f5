// A TypeScript application of the SDK 2.x line (sdk-trace-base 2.x, sdk-node 0.2xx, api < 1.10),
// compiled with skipLibCheck false: our classes must be assignable to the SDK's interfaces.
import { type TextMapPropagator, propagation } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SkyWalkingPropagator, SkyWalkingSpanProcessor, SkyWalkingTraceExporter } from 'skywalking-bridge';

const processor: SpanProcessor = new SkyWalkingSpanProcessor({ serviceName: 'typed' });
const exporter: SpanExporter = new SkyWalkingTraceExporter({ serviceName: 'typed' });
const propagator: TextMapPropagator = new SkyWalkingPropagator();
propagation.setGlobalPropagator(propagator);
export const provider = new BasicTracerProvider({ spanProcessors: [processor, new BatchSpanProcessor(exporter)] });
export const sdk = new NodeSDK({
  spanProcessors: [new SkyWalkingSpanProcessor()],
  textMapPropagator: new SkyWalkingPropagator(),
});
export const exporterSdk = new NodeSDK({ traceExporter: new SkyWalkingTraceExporter() });
