'use strict';
/**
 * Certificates made at test time with openssl, for the TLS tests (test/config-messages.test.ts,
 * test/reporter/tls-and-process.test.ts) and the Kafka broker's TLS listener
 * (compat-tests/kafka/broker.js). Plain CommonJS so that both TypeScript tests and plain node
 * scripts load it. Each file lands in `dir` as `<name>.key` and `<name>.pem`.
 */
const { spawnSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** Run openssl in `dir`; throws with its stderr when it fails. */
function openssl(dir, args) {
  const res = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${res.error ?? res.stderr}`);
}

/** A self-signed CA, valid `days` days, with subject `/CN=<cn>`: <name>.key and <name>.pem. */
function makeCa(dir, { name = 'ca', cn, days = 1 }) {
  const out = [`-keyout`, `${name}.key`, '-out', `${name}.pem`];
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', ...out, '-days', String(days), '-subj', `/CN=${cn}`]);
  return join(dir, `${name}.pem`);
}

/**
 * A key and a certificate signed by the CA `ca` (made by makeCa in the same `dir`), with subject
 * `/CN=<cn>` and the subjectAltName `san` (e.g. `DNS:localhost,IP:127.0.0.1`): <name>.key and <name>.pem.
 */
function makeSignedCert(dir, { name = 'server', ca = 'ca', cn, san, days = 1 }) {
  const csr = `${name}.csr`;
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', csr, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  const signer = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  const out = ['-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`];
  openssl(dir, ['x509', '-req', '-in', csr, ...signer, ...out]);
  return { keyPath: join(dir, `${name}.key`), certPath: join(dir, `${name}.pem`) };
}

module.exports = { openssl, makeCa, makeSignedCert };
