#!/usr/bin/env node
'use strict';
// `npm run test:oap`: the suites against a real SkyWalking OAP 10.1.0 (and go2sky, and a real
// PostgreSQL). Needs Java 11+, Maven, Go and PostgreSQL's server binaries. Without them it says
// what is missing and exits 0 — except in CI (CI=true), where missing tools are a failure.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { missingTools } = require('./oap');
const { missingGo } = require('../go/build');
const { postgresBin } = require('../support/postgres');

const missing = [
  missingTools(),
  missingGo(),
  postgresBin() ? '' : "PostgreSQL's server (Debian: apt-get install postgresql)",
].filter(Boolean);
if (missing.length) {
  const message = `test:oap needs ${missing.join(', ')}; not found on this machine.`;
  if (process.env.CI) {
    console.error(`${message} CI=true, so this is a failure.`);
    process.exit(1);
  }
  console.log(`${message} Skipping the real-OAP suite (set CI=true to make this an error).`);
  process.exit(0);
}
const root = join(__dirname, '..', '..');
const res = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.oap.config.mts'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(res.status ?? 1);
