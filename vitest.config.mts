import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['test/**/*.test.ts', 'compat-tests/**/*.test.ts'],
    exclude: ['compat-tests/oap/**', 'compat-tests/kafka/**', 'node_modules/**'],
    // dist/ is built once here, before any file runs (test files never build: issue #18)
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // a rejection we leave unhandled is fatal in every test process (issue #8)
    execArgv: ['--unhandled-rejections=strict'],
  },
});
