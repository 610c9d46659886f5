// A TypeScript application of the SDK 3.x line (@opentelemetry/sdk-trace 3.x, sdk-node 0.30x,
// api 1.10), compiled with skipLibCheck false: our classes must be assignable to the SDK's interfaces.
import { type TextMapPropagator, propagation } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { SkyWalkingPropagator, SkyWalkingSpanProcessor, SkyWalkingTraceExporter } from 'skywalking-bridge';

const processor: SpanProcessor = new SkyWalkingSpanProcessor({ serviceName: 'typed' });
const exporter: SpanExporter = new SkyWalkingTraceExporter({ serviceName: 'typed' });
const propagator: TextMapPropagator = new SkyWalkingPropagator();
propagation.setGlobalPropagator(propagator);
export const provider = new TracerProvider({ spanProcessors: [processor, new BatchSpanProcessor({ exporter })] });
export const sdk = new NodeSDK({
  spanProcessors: [new SkyWalkingSpanProcessor()],
  textMapPropagator: new SkyWalkingPropagator(),
});
export const exporterSdk = new NodeSDK({ traceExporter: new SkyWalkingTraceExporter() });
