'use strict';
// A real Apache SkyWalking OAP 10.1.0 for tests.
//
// The binary tarball was never on Maven Central (apache-skywalking-apm:10.1.0:tar.gz answers 404),
// so the OAP is assembled the other way the issue names: `server-starter` 10.1.0 and its runtime
// dependencies, resolved by Maven (pom.xml here, versions pinned by importing the OAP's own
// `oap-server` BOM) into the local Maven cache and copied to ~/.cache/skywalking-bridge/, run with
// configuration files we wrote (config/): standalone, in-memory H2, gRPC and REST on 127.0.0.1.
const { spawn, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
  readdirSync,
  rmSync,
} = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, waitUntil, stopPid } = require('../support/process');

const OAP_VERSION = '10.1.0';
const HERE = __dirname;
const CONFIG_DIR = join(HERE, 'config');

/** Why this machine cannot run the OAP ('' when it can). */
function missingTools() {
  const missing = [];
  if (spawnSync('java', ['-version'], { encoding: 'utf8' }).status !== 0) missing.push('Java 11+ (`java` on PATH)');
  if (spawnSync('mvn', ['-v'], { encoding: 'utf8' }).status !== 0) missing.push('Maven (`mvn` on PATH)');
  return missing.join(' and ');
}

function cacheRoot() {
  return (
    process.env.SWB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'skywalking-bridge')
  );
}

/**
 * The directory holding the OAP's jars: resolved once per pom.xml content (hash in the path),
 * downloaded by Maven into ~/.m2 and copied out. Returns the directory.
 */
function ensureOapLibs(log = () => undefined) {
  const pom = join(HERE, 'pom.xml');
  const key = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const dir = join(cacheRoot(), `oap-${OAP_VERSION}-${key}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return join(dir, 'libs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`resolving OAP ${OAP_VERSION} (server-starter and dependencies) with Maven into ${dir}`);
  const started = Date.now();
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(dir, 'libs')}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (mvn.status !== 0) {
    throw new Error(
      `Maven could not resolve the OAP (exit ${mvn.status}). It needs Maven Central (https://repo.maven.apache.org), directly or through ` +
        `a mirror in ~/.m2/settings.xml; run \`mvn -f ${pom} dependency:copy-dependencies\` to see the full error.\n${(mvn.stdout + mvn.stderr).slice(-4000)}`,
    );
  }
  const jars = readdirSync(join(dir, 'libs')).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith('server-starter-')))
    throw new Error(`Maven finished but server-starter is not in ${dir}/libs`);
  writeFileSync(done, `${jars.length} jars in ${Date.now() - started} ms\n`);
  log(`resolved ${jars.length} jars in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(dir, 'libs');
}

/** GraphQL Duration strings; the OAP parses them in its JVM's timezone, which we set to UTC. */
function minute(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}
function duration(fromMs, toMs = Date.now()) {
  return { start: minute(fromMs), end: minute(toMs), step: 'MINUTE' };
}

/**
 * Start an OAP. Options: authentication (token the OAP demands), slowDbThreshold (OAP syntax,
 * e.g. 'default:100'), persistentPeriod (seconds, default 3), heap (default '768m'),
 * configDir (another config dir, default config/), env (extra environment for the OAP).
 * Resolves { grpcAddress, restUrl, graphql(query, variables), logPath, pid, stop() }.
 */
async function startOap(options = {}) {
  const libs = ensureOapLibs((m) => process.stderr.write(`[oap] ${m}\n`));
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const workDir = mkdtempSync(join(tmpdir(), 'swb-oap-'));
  const logPath = join(workDir, 'oap.log');
  const out = openSync(logPath, 'a');
  const env = {
    ...process.env,
    SW_CORE_GRPC_PORT: String(grpcPort),
    SW_CORE_REST_PORT: String(restPort),
    SW_CORE_PERSISTENT_PERIOD: String(options.persistentPeriod ?? 3),
    SW_SLOW_DB_THRESHOLD: options.slowDbThreshold ?? 'default:200',
    SW_AUTHENTICATION: options.authentication ?? '',
    ...(options.env ?? {}),
  };
  const args = [
    `-Xmx${options.heap ?? '768m'}`,
    '-Xms256m',
    '-XX:+UseSerialGC',
    '-Duser.timezone=UTC',
    '-Dcom.linecorp.armeria.warnNettyVersions=false',
    `-Djava.io.tmpdir=${workDir}`,
    '-cp',
    `${options.configDir ?? CONFIG_DIR}:${join(libs, '*')}`,
    'org.apache.skywalking.oap.server.starter.OAPServerStartUp',
  ];
  const started = Date.now();
  const child = spawn('java', args, { cwd: workDir, env, stdio: ['ignore', out, out] });
  let exitCode;
  child.on('exit', (code, signal) => (exitCode = code ?? signal));
  const killOnExit = () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killOnExit);

  const restUrl = `http://127.0.0.1:${restPort}`;
  async function graphql(query, variables = {}) {
    const res = await fetch(`${restUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`GraphQL answered ${res.status}: ${text.slice(0, 500)}`);
    }
    if (body.errors && body.errors.length)
      throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 1000)}`);
    return body.data;
  }

  try {
    await waitUntil(
      async () => {
        if (exitCode !== undefined)
          throw new Error(`the OAP exited (${exitCode}) while starting; log: ${logPath}\n${tail(logPath)}`);
        const data = await graphql('query { getTimeInfo { timezone } }');
        return data.getTimeInfo && data.getTimeInfo.timezone === '+0000';
      },
      120_000,
      `the OAP's GraphQL on ${restUrl} (log: ${logPath})`,
      500,
    );
  } catch (err) {
    killOnExit();
    throw err;
  }
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    restUrl,
    graphql,
    logPath,
    pid: child.pid,
    startMs: Date.now() - started,
    log: () => readFileSync(logPath, 'utf8'),
    async stop() {
      process.removeListener('exit', killOnExit);
      await stopPid(child, 'SIGTERM', 15_000);
    },
  };
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

module.exports = { OAP_VERSION, startOap, ensureOapLibs, missingTools, duration, minute, tail };
