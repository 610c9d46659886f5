/**
 * Without the optional Kafka client installed, choosing reporter 'kafka' fails at construction
 * with what to install; nothing else needs the client. Runs the built library (dist/, which
 * `npm test` builds) copied where no node_modules can be found.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

it("reporter 'kafka' without @platformatic/kafka: a ConfigError saying what to install; the gRPC reporter's config still resolves", () => {
  const dir = mkdtempSync(join(tmpdir(), 'swb-nokafka-'));
  try {
    cpSync(resolve(__dirname, '../../dist'), join(dir, 'dist'), { recursive: true });
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const { resolveConfig } = require('./dist/base/config');
         const { KafkaReporter } = require('./dist/reporter/kafka');
         console.log(resolveConfig({}, {}).reporter);
         try { new KafkaReporter(resolveConfig({ reporter: 'kafka' }, {})); console.log('constructed'); }
         catch (e) { console.log(e.name + ': ' + e.message); }`,
      ],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(out.trim().split('\n')).toEqual([
      'grpc',
      "ConfigError: skywalking-bridge: reporter 'kafka' needs the Kafka client @platformatic/kafka, an optional peer dependency that is not installed: " +
        'run `npm install @platformatic/kafka@^1.35.0` (Node.js 20; on Node.js 22+ @^2.12.1 works too), or choose another reporter.',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
