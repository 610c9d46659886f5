/**
 * Zero-code start: `node --require skywalking-bridge/register app.js` (or `--import` for ESM).
 *
 * Starts the OpenTelemetry NodeSDK with `@opentelemetry/auto-instrumentations-node`, our span
 * processor and propagator, configured only by `SW_*` and `OTEL_*` env vars. OTLP metrics and logs
 * stay off unless `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` ask for them. On SIGTERM/SIGINT the
 * SDK is shut down (segments flushed, bounded by the report timeout; one line says what is waited
 * for when that takes a while, and a second signal exits at once: `bridge/exit.ts`), then the
 * signal's default action runs as it would have, unless the application listens for that signal
 * itself. A process that ends by itself is flushed at `beforeExit`.
 *
 * Never throws into the application: a missing peer or bad configuration is one error line and the
 * application runs untraced.
 */
import { log } from '../base/diag';
import { installExitHandlers, waitingOf } from '../bridge/exit';
import { warnIfEsmUnderRequire } from '../bridge/esm-hint';
import { guardOwnConnections } from '../bridge/own-connections';
import { SkyWalkingPropagator } from '../opentelemetry/propagator';
import { SkyWalkingSpanProcessor } from '../opentelemetry/processor';
import { SkyWalkingSampler } from '../opentelemetry/sampler';
import { skywalkingLogProcessors, withLogInstrumentations } from '../opentelemetry/register-logs';
import { closeLogPaths } from '../logs/shutdown-hooks';

interface Sdk {
  start(): void;
  shutdown(): Promise<void>;
}

interface Started {
  sdk: Sdk;
  processor: SkyWalkingSpanProcessor;
  shutdown(): Promise<void>;
}

const STARTED = Symbol.for('skywalking-bridge.register');
/**
 * Off unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names them: a span per socket connect and per DNS
 * look-up, nested under the HTTP or database Exit span, which SkyWalking agents do not record.
 */
const QUIET = {
  '@opentelemetry/instrumentation-net': { enabled: false },
  '@opentelemetry/instrumentation-dns': { enabled: false },
};

function envSet(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v.trim() !== '';
}

function peer<T>(name: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'MODULE_NOT_FOUND'
        ? `is not installed: run \`npm install ${name}\``
        : `failed to load (${(e as Error).message})`;
    log(
      'error',
      'register.peer',
      `skywalking-bridge/register: \`${name}\` ${why}. The application runs without tracing.`,
    );
    return undefined;
  }
}

/** Build and start the SDK; undefined (and one error line) when it cannot. */
export function start(): Started | undefined {
  const g = globalThis as { [STARTED]?: Started | null };
  if (g[STARTED] !== undefined) return g[STARTED] ?? undefined;
  g[STARTED] = null;
  warnIfEsmUnderRequire();
  const sdkNode = peer<{ NodeSDK: new (config: Record<string, unknown>) => Sdk }>('@opentelemetry/sdk-node');
  const auto =
    sdkNode &&
    peer<{ getNodeAutoInstrumentations(configs?: Record<string, object>): unknown[] }>(
      '@opentelemetry/auto-instrumentations-node',
    );
  if (!sdkNode || !auto) return undefined;
  let started: Started;
  try {
    const processor = new SkyWalkingSpanProcessor();
    const config: Record<string, unknown> = {
      spanProcessors: [processor],
      textMapPropagator: new SkyWalkingPropagator(),
      instrumentations: [
        auto.getNodeAutoInstrumentations(
          withLogInstrumentations(envSet('OTEL_NODE_ENABLED_INSTRUMENTATIONS') ? {} : QUIET),
        ),
      ],
    };
    // SW_AGENT_SAMPLE: sample as the agents do (else OTel's own OTEL_TRACES_SAMPLER applies); either
    // way the library's own connections are never a trace
    const sampler = envSet('SW_AGENT_SAMPLE') ? new SkyWalkingSampler() : undefined;
    guardOwnConnections(config, processor.bridge.config, process.env, sampler);
    // NodeSDK exports OTLP metrics and logs by default: no metrics unless asked; the OTel Logs API to SkyWalking
    if (!envSet('OTEL_METRICS_EXPORTER')) config.metricReaders = [];
    if (!envSet('OTEL_LOGS_EXPORTER')) config.logRecordProcessors = skywalkingLogProcessors(processor);
    const sdk = new sdkNode.NodeSDK(config);
    sdk.start();
    const limit = processor.bridge.config.reportTimeoutMs + 1000;
    let done: Promise<void> | undefined;
    const shutdown = (): Promise<void> => {
      done ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limit);
        timer.unref();
        Promise.all([sdk.shutdown(), closeLogPaths()])
          .then(
            () => resolve(),
            (e: unknown) => {
              log(
                'warn',
                'register.shutdown',
                `skywalking-bridge/register: the OpenTelemetry SDK's shutdown failed: ${(e as Error)?.message ?? String(e)}`,
              );
              resolve();
            },
          )
          .finally(() => clearTimeout(timer));
      });
      return done;
    };
    started = { sdk, processor, shutdown };
  } catch (e) {
    log(
      'error',
      'register.start',
      `skywalking-bridge/register: tracing not started: ${(e as Error)?.message ?? String(e)}`,
    );
    return undefined;
  }
  g[STARTED] = started;
  const bridge = started.processor.bridge;
  installExitHandlers({
    shutdown: started.shutdown,
    timeoutMs: bridge.config.reportTimeoutMs,
    waiting: () => waitingOf(bridge),
  });
  log(
    'info',
    'register.started',
    `skywalking-bridge/register: tracing started for service ${started.processor.bridge.recorder.service}`,
  );
  return started;
}

start();
