// `node --import skywalking-bridge/register app.mjs`: ESM modules are only instrumentable through
// the loader hook of @opentelemetry/instrumentation (import-in-the-middle), registered here before
// the application loads; then the same start as `--require` (dist/entry/register.js).
import { createRequire, register } from 'node:module';

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
} catch (e) {
  process.stderr.write(
    `[skywalking-bridge] WARN register: ES modules will not be instrumented: the loader hook of \`@opentelemetry/instrumentation\` could not be registered (${e?.message ?? e}).\n`,
  );
}
globalThis[Symbol.for('skywalking-bridge.register.imported')] = true;
createRequire(import.meta.url)('../dist/entry/register.js');
