#!/usr/bin/env node
'use strict';
// `npm run test:kafka`: the suites against a real Apache Kafka 4.4 broker (broker.js). Needs Java 17+,
// OpenSSL (certificates for the TLS listener) and Maven (they resolve the broker from Maven Central on first use). Without them it says what is
// missing and exits 0 — except in CI (CI=true), where missing tools are a failure.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { missingTools } = require('./broker');

const missing = missingTools();
if (missing) {
  const message = `test:kafka needs ${missing}; not found on this machine.`;
  if (process.env.CI) {
    console.error(`${message} CI=true, so this is a failure.`);
    process.exit(1);
  }
  console.log(`${message} Skipping the Kafka suite (set CI=true to make this an error).`);
  process.exit(0);
}
const root = join(__dirname, '..', '..');
const res = spawnSync(
  process.execPath,
  // a file filter after `--` runs only those suites: npm run test:kafka -- compat-tests/kafka/forward.test.ts
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    'vitest.kafka.config.mts',
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(res.status ?? 1);
