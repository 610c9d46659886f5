'use strict';
// A throwaway PostgreSQL server for tests: Debian's postgresql package, a cluster in a fresh
// directory under the OS temp dir, trust auth, 127.0.0.1 on a free port. Stopped by PID.
// When running as root (CI), the server runs as the `postgres` user the package creates.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, openSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir, userInfo } = require('node:os');
const { freePort, waitUntil, stopPid } = require('./process');

/** The directory of PostgreSQL's server binaries (newest version), or undefined. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** How to run a server binary: directly, or as `postgres` when we are root. */
function asServerUser(dir) {
  if (userInfo().uid !== 0) return (cmd, args) => [cmd, args];
  const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (pw.status !== 0)
    throw new Error("running as root and there is no `postgres` user (install Debian's postgresql package)");
  const uid = Number(pw.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  return (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

/**
 * Start PostgreSQL. Resolves { host, port, user, database, url, logPath, stop() }.
 * Throws with a clear message when the server binaries are missing.
 */
async function startPostgres() {
  const bin = postgresBin();
  if (!bin)
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'swb-pg-'));
  const data = join(dir, 'data');
  const run = asServerUser(dir);
  const [initCmd, initArgs] = run(join(bin, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const logPath = join(dir, 'postgres.log');
  const log = openSync(logPath, 'a');
  const [cmd, args] = run(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'log_min_messages=warning',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], detached: false });
  let exited = false;
  child.on('exit', () => (exited = true));
  const isReady = join(bin, 'pg_isready');
  await waitUntil(
    () => {
      if (exited) throw new Error(`postgres exited at start; log: ${logPath}`);
      return spawnSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-q']).status === 0;
    },
    30_000,
    `postgres on port ${port} (log: ${logPath})`,
  );
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    logPath,
    async stop() {
      // `runuser` forwards SIGTERM to postgres (smart shutdown); SIGINT is the fast one.
      await stopPid(child, 'SIGINT', 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startPostgres, postgresBin };
