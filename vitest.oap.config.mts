import { defineConfig } from 'vitest/config';

// `npm run test:oap`: the suites that need Java and Maven (a real OAP), run one file at a time.
export default defineConfig({
  test: {
    globals: true,
    include: ['compat-tests/oap/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // a rejection we leave unhandled is fatal in every test process (issue #8)
    execArgv: ['--unhandled-rejections=strict'],
    fileParallelism: false,
  },
});
