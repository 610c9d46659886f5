/**
 * The log entries export only what users call (`./pino`: no worker internals), and
 * `skywalking-bridge/winston` without winston installed loads, and says what to install when its
 * transport is made.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DIST = join(__dirname, '..', '..', 'dist', 'entry');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const names = (file: string): string[] => Object.keys(require(join(DIST, file)) as object).sort();

it('./pino and ./winston: exactly the user-facing names', () => {
  expect(names('pino.js')).toEqual([
    'autoInstrumentationsConfig',
    'default',
    'skywalkingDestination',
    'skywalkingMixin',
    'spanBindings',
    'spanSerializers',
    'transportStats',
  ]);
  expect(names('winston.js')).toEqual([
    'SkyWalkingTransport',
    'autoInstrumentationsConfig',
    'recordOfWinston',
    'skywalkingFormat',
  ]);
});

it('./winston without winston installed: the entry loads; SkyWalkingTransport throws a ConfigError naming the install', () => {
  // the application's node_modules without winston: `winston-transport` cannot be resolved
  const hide = `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...rest) {
  if (req === 'winston-transport' || req === 'winston') { const e = new Error("Cannot find module '" + req + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
  return r.call(this, req, ...rest);
};`;
  const app = `${hide}
const w = require(${JSON.stringify(join(DIST, 'winston.js'))});
console.log(typeof w.skywalkingFormat().transform);
try { new w.SkyWalkingTransport(); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['-e', app], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    'function\nConfigError: skywalking-bridge: SkyWalkingTransport needs winston (its `winston-transport` package): run `npm install winston`.\n',
  );
});
