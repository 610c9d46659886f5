import { defineConfig } from 'vitest/config';

// `npm run test:kafka`: the suites that need Java and Maven (a real Apache Kafka broker), one file at a time.
export default defineConfig({
  test: {
    globals: true,
    include: ['compat-tests/kafka/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // a rejection we leave unhandled is fatal in every test process (issue #8)
    execArgv: ['--unhandled-rejections=strict'],
    fileParallelism: false,
  },
});
