'use strict';
// A real Apache Kafka broker for tests: 4.4.0 (the newest 4.x on Maven Central when this was
// written), KRaft, one node that is both broker and controller.
//
// Assembled like the OAP harness (../oap/oap.js): Maven resolves `kafka_2.13` and its runtime
// dependencies (pom.xml here) into ~/.cache/skywalking-bridge/kafka-<version>-<pom hash>/libs, and
// java runs `kafka.tools.StorageTool format` (a random cluster id) and then `kafka.Kafka` with a
// server.properties we write into a temporary work dir: listeners on 127.0.0.1 and free ports,
// automatic topic creation off unless asked for. Stopped by PID.
const { spawn, spawnSync } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  writeFileSync,
  readdirSync,
  rmSync,
} = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, waitUntil, stopPid } = require('../support/process');
const { makeCa, makeSignedCert } = require('../../test/support/certs');

const KAFKA_VERSION = '4.4.0';
const HERE = __dirname;
const CONFIG_DIR = join(HERE, 'config');

/** Why this machine cannot run the broker ('' when it can). */
function missingTools() {
  const missing = [];
  if (spawnSync('java', ['-version'], { encoding: 'utf8' }).status !== 0) missing.push('Java 17+ (`java` on PATH)');
  if (spawnSync('mvn', ['-v'], { encoding: 'utf8' }).status !== 0) missing.push('Maven (`mvn` on PATH)');
  if (spawnSync('openssl', ['version'], { encoding: 'utf8' }).status !== 0)
    missing.push('OpenSSL (`openssl` on PATH, for the TLS listener)');
  return missing.join(' and ');
}

function cacheRoot() {
  return (
    process.env.SWB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'skywalking-bridge')
  );
}

/** The directory of the broker's jars, resolved once per pom.xml content (hash in the path). */
function ensureKafkaLibs(log = () => undefined) {
  const pom = join(HERE, 'pom.xml');
  const key = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const dir = join(cacheRoot(), `kafka-${KAFKA_VERSION}-${key}`);
  if (existsSync(join(dir, '.complete'))) return join(dir, 'libs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`resolving Apache Kafka ${KAFKA_VERSION} (kafka_2.13 and dependencies) with Maven into ${dir}`);
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
      `Maven could not resolve Apache Kafka (exit ${mvn.status}). It needs Maven Central (https://repo.maven.apache.org), directly or ` +
        `through a mirror in ~/.m2/settings.xml; run \`mvn -f ${pom} dependency:copy-dependencies\` to see the full error.\n${(mvn.stdout + mvn.stderr).slice(-4000)}`,
    );
  }
  const jars = readdirSync(join(dir, 'libs')).filter((f) => f.endsWith('.jar'));
  if (!jars.includes(`kafka_2.13-${KAFKA_VERSION}.jar`))
    throw new Error(`Maven finished but kafka_2.13 is not in ${dir}/libs`);
  writeFileSync(join(dir, '.complete'), `${jars.length} jars in ${Date.now() - started} ms\n`);
  log(`resolved ${jars.length} jars in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(dir, 'libs');
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid form), not starting with '-' (read as an option). */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(libs, workDir, heap) {
  return [
    `-Xmx${heap}`,
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Djava.io.tmpdir=${workDir}`,
    `-Dlog4j2.configurationFile=${join(CONFIG_DIR, 'log4j2.xml')}`,
    '-cp',
    join(libs, '*'),
  ];
}

/**
 * A CA and a server certificate for 127.0.0.1 (openssl), in `dir`: ca.pem (what clients trust)
 * and keystore.pem (the server's unencrypted PKCS#8 key and certificate, Kafka's PEM keystore).
 */
function makeCertificates(dir) {
  makeCa(dir, { cn: 'skywalking-bridge test CA', days: 2 });
  makeSignedCert(dir, { cn: '127.0.0.1', san: 'IP:127.0.0.1', days: 2 });
  writeFileSync(
    join(dir, 'keystore.pem'),
    readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.pem'), 'utf8'),
  );
  return { caPath: join(dir, 'ca.pem'), keystorePath: join(dir, 'keystore.pem') };
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * A broker that is configured (ports, formatted log dir) but not running yet, so a test can hand
 * its address to a reporter first. Options:
 *   autoCreateTopics (default false), partitions (default 1),
 *   sasl: { username, password } adds a SASL_PLAINTEXT listener with the PLAIN mechanism that
 *     knows that one user (its address: saslBootstrap),
 *   tls: true adds an SSL listener (its address: sslBootstrap) with a certificate for 127.0.0.1
 *     signed by a CA made for this broker (caPath: the CA's PEM file),
 *   advertisedProxyPort: a port of 127.0.0.1 where a test's proxy listens: adds a plaintext
 *     listener (its address: proxiedTarget, where the proxy connects) whose metadata answers name
 *     127.0.0.1:<advertisedProxyPort> as the broker, so a client that bootstraps through the proxy
 *     keeps going through it (the other listeners are unaffected),
 *   heap (default '320m').
 * Returns { bootstrap, saslBootstrap, sslBootstrap, proxiedTarget, caPath, clusterId, workDir, logPath, pid, start(), stop(), kill(), log() };
 * start() can be called again after stop()/kill(): same ports, same data.
 */
async function prepareBroker(options = {}) {
  const libs = ensureKafkaLibs((m) => process.stderr.write(`[kafka] ${m}\n`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const saslPort = options.sasl ? await freePort() : undefined;
  const sslPort = options.tls ? await freePort() : undefined;
  const proxiedPort = options.advertisedProxyPort ? await freePort() : undefined;
  const workDir = mkdtempSync(join(tmpdir(), 'swb-kafka-'));
  const dataDir = join(workDir, 'data');
  const logPath = join(workDir, 'broker.log');
  const clusterId = randomClusterId();
  const certificates = options.tls ? makeCertificates(workDir) : undefined;
  const heap = options.heap ?? '320m';

  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${controllerPort}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${port}`];
  if (saslPort) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${saslPort}`);
    advertised.push(`SASL_PLAINTEXT://127.0.0.1:${saslPort}`);
  }
  if (sslPort) {
    listeners.push(`SSL://127.0.0.1:${sslPort}`);
    advertised.push(`SSL://127.0.0.1:${sslPort}`);
  }
  if (proxiedPort) {
    listeners.push(`PROXIED://127.0.0.1:${proxiedPort}`);
    advertised.push(`PROXIED://127.0.0.1:${options.advertisedProxyPort}`);
  }
  const props = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL${proxiedPort ? ',PROXIED:PLAINTEXT' : ''}`,
    `log.dirs=${dataDir}`,
    `num.partitions=${options.partitions ?? 1}`,
    `auto.create.topics.enable=${options.autoCreateTopics ? 'true' : 'false'}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'log.flush.interval.messages=9223372036854775807',
  ];
  if (options.sasl) {
    const { username, password } = options.sasl;
    const q = (s) => String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    props.push(
      'sasl.enabled.mechanisms=PLAIN',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ` +
        `username="${q(username)}" password="${q(password)}" user_${username}="${q(password)}";`,
    );
  }
  if (certificates) {
    props.push(
      'listener.name.ssl.ssl.keystore.type=PEM',
      `listener.name.ssl.ssl.keystore.location=${certificates.keystorePath}`,
      'listener.name.ssl.ssl.client.auth=none',
    );
  }
  const propsPath = join(workDir, 'server.properties');
  writeFileSync(propsPath, props.join('\n') + '\n');

  const format = spawnSync(
    'java',
    [
      ...javaArgs(libs, workDir, '128m'),
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      '--config',
      propsPath,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir },
  );
  if (format.status !== 0)
    throw new Error(
      `kafka-storage format failed (exit ${format.status}):\n${(format.stdout + format.stderr).slice(-3000)}`,
    );

  let child;
  let exitCode;
  const killOnExit = () => {
    try {
      if (child) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };

  const handle = {
    bootstrap: `127.0.0.1:${port}`,
    saslBootstrap: saslPort ? `127.0.0.1:${saslPort}` : undefined,
    sslBootstrap: sslPort ? `127.0.0.1:${sslPort}` : undefined,
    proxiedTarget: proxiedPort ? `127.0.0.1:${proxiedPort}` : undefined,
    caPath: certificates?.caPath,
    clusterId,
    workDir,
    logPath,
    pid: undefined,
    startMs: undefined,
    log: () => tail(logPath, 100_000),
    /** Start (or restart) the broker; resolves once it has logged that it started. */
    async start() {
      if (child && exitCode === undefined) throw new Error('the broker is already running');
      const started = Date.now();
      const before = existsSync(logPath) ? readFileSync(logPath, 'utf8').length : 0;
      const out = openSync(logPath, 'a');
      exitCode = undefined;
      child = spawn('java', [...javaArgs(libs, workDir, heap), 'kafka.Kafka', propsPath], {
        cwd: workDir,
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      child.on('exit', (code, signal) => (exitCode = code ?? signal));
      handle.pid = child.pid;
      process.once('exit', killOnExit);
      try {
        await waitUntil(
          () => {
            if (exitCode !== undefined)
              throw new Error(`the broker exited (${exitCode}) while starting; log: ${logPath}\n${tail(logPath)}`);
            return /Kafka Server started/.test(readFileSync(logPath, 'utf8').slice(before));
          },
          90_000,
          `the Kafka broker on ${handle.bootstrap} (log: ${logPath})`,
          100,
        );
      } catch (err) {
        killOnExit();
        throw err;
      }
      handle.startMs = Date.now() - started;
      return handle;
    },
    /** SIGTERM (controlled shutdown), SIGKILL after 20 s; resolves when the process is gone. */
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child) await stopPid(child, 'SIGTERM', 20_000);
    },
    /** SIGKILL: the broker dies mid-stream. */
    async kill() {
      process.removeListener('exit', killOnExit);
      if (child) await stopPid(child, 'SIGKILL', 5_000);
    },
    /** Stop and delete the work dir. */
    async destroy() {
      await handle.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** A started broker: { bootstrap, pid, stop(), ... } (see prepareBroker). */
async function startBroker(options = {}) {
  const broker = await prepareBroker(options);
  return broker.start();
}

module.exports = { KAFKA_VERSION, startBroker, prepareBroker, ensureKafkaLibs, missingTools, randomClusterId };
