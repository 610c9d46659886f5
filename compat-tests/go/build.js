'use strict';
// Builds the Go programs here (go2sky server and client) into the OS temp dir, cached by a hash
// of the sources, so repeated runs reuse the binaries. Never writes into the repository.
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');

const HERE = __dirname;

function sources(dir = HERE) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.go$|^go\.(mod|sum)$/.test(name)) out.push(path);
  }
  return out;
}

/** Why Go programs cannot be built here ('' when they can). */
function missingGo() {
  return spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0 ? '' : 'the Go toolchain (`go` on PATH)';
}

/** Build (or reuse) the binaries; returns { server2, client } paths. Throws with Go's output. */
function buildGo() {
  const hash = createHash('sha256');
  for (const file of sources()) hash.update(relative(HERE, file)).update(readFileSync(file));
  const out = join(tmpdir(), `swb-go-${hash.digest('hex').slice(0, 12)}`);
  const bins = { server2: join(out, 'server2'), client: join(out, 'client') };
  if (existsSync(bins.server2) && existsSync(bins.client)) return bins;
  mkdirSync(out, { recursive: true });
  const res = spawnSync('go', ['build', '-o', out + '/', './server2', './client'], {
    cwd: HERE,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    timeout: 300_000,
  });
  if (res.status !== 0)
    throw new Error(`go build failed (exit ${res.status}):\n${res.stderr || res.stdout || res.error}`);
  return bins;
}

module.exports = { buildGo, missingGo };
