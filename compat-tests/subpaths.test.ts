/**
 * Subpath entries from the packed tarball: an application with only one of the optional peers
 * installed type-checks with `skipLibCheck: false` when it imports `skywalking-bridge/opentracing`
 * or `skywalking-bridge/opentelemetry` (module resolution node16, and node10 through typesVersions),
 * while the root entry needs both peers' types (TS2307), which is why the subpaths exist.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPES_NODE = (require('@types/node/package.json') as { version: string }).version;

let work: string;

function project(name: string, peers: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  execFileSync(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, tarball),
      `@types/node@${TYPES_NODE}`,
      ...peers,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  return dir;
}

/** Compile `source` in `dir`; the compiler's output ('' when clean). */
function compile(dir: string, source: string, resolution: 'node16' | 'node10'): string {
  writeFileSync(join(dir, 'app.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: resolution === 'node16' ? 'node16' : 'commonjs',
        moduleResolution: resolution,
        types: ['node'],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['app.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

const OT_APP = `import { SkyWalkingTracer, type SkyWalkingTracerOptions, ConfigError, encodeSw8 } from 'skywalking-bridge/opentracing';
import { initGlobalTracer } from 'opentracing';
const options: SkyWalkingTracerOptions = { serviceName: 'orders' };
initGlobalTracer(new SkyWalkingTracer(options));
export const checks = [ConfigError, encodeSw8];
`;
const OTEL_APP = `import { SkyWalkingPropagator, SkyWalkingSpanProcessor, type SkyWalkingSpanProcessorOptions, startCollector } from 'skywalking-bridge/opentelemetry';
import { type TextMapPropagator, propagation } from '@opentelemetry/api';
const options: SkyWalkingSpanProcessorOptions = { serviceName: 'orders' };
export const processor = new SkyWalkingSpanProcessor(options);
const propagator: TextMapPropagator = new SkyWalkingPropagator();
propagation.setGlobalPropagator(propagator);
export const collector = startCollector;
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'swb-subpaths-'));
  execFileSync(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('an OpenTracing-only application type-checks against skywalking-bridge/opentracing', () => {
  const dir = project('ot-only', ['opentracing@0.14.7']);
  expect(compile(dir, OT_APP, 'node16')).toBe('');
  expect(compile(dir, OT_APP, 'node10')).toBe('');
  // the root entry's types also name @opentelemetry/api, which this application does not have
  expect(
    compile(
      dir,
      `import { SkyWalkingTracer } from 'skywalking-bridge';\nexport const t = new SkyWalkingTracer();\n`,
      'node16',
    ),
  ).toMatch(/error TS2307: Cannot find module '@opentelemetry\/api'/);
}, 120_000);

it('an OpenTelemetry-only application type-checks against skywalking-bridge/opentelemetry', () => {
  const dir = project('otel-only', ['@opentelemetry/api@1.9.1']);
  // (node10 resolution and the root entry's TS2307 are checked once, above: each compile costs seconds)
  expect(compile(dir, OTEL_APP, 'node16')).toBe('');
}, 120_000);
