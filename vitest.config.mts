import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['test/**/*.test.ts', 'compat-tests/**/*.test.ts'],
    exclude: ['compat-tests/oap/**', 'compat-tests/kafka/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // a rejection we leave unhandled is fatal in every test process (issue #8)
    execArgv: ['--unhandled-rejections=strict'],
  },
});
