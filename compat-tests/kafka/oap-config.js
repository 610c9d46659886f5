'use strict';
// The OAP's configuration for the Kafka run: the real-OAP suite's own config (../oap/config, so
// it stays in step with it) copied into a temporary dir, with the `kafka-fetcher` module selected.
// Its broker and namespace come from env (SW_KAFKA_FETCHER_SERVERS, SW_NAMESPACE); topics get one
// partition and one replica (one test broker); a new consumer group starts from the earliest
// records (the fetcher's consumer otherwise starts at the latest, skipping what was written while
// it joined). When that config keeps no logs yet (lalFiles ""), the OAP's stock LAL rule that
// keeps every log is added, so logs sent through Kafka are stored.
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const FETCHER = `
kafka-fetcher:
  selector: default
  default:
    bootstrapServers: \${SW_KAFKA_FETCHER_SERVERS:localhost:9092}
    namespace: \${SW_NAMESPACE:""}
    groupId: skywalking-consumer
    partitions: 1
    replicationFactor: 1
    consumers: 1
    enableNativeProtoLog: true
    enableNativeJsonLog: true
    kafkaHandlerThreadPoolSize: -1
    kafkaHandlerThreadPoolQueueSize: -1
    kafkaConsumerConfig:
      auto.offset.reset: earliest
`;

/** A config dir for startOap({ configDir }) with kafka-fetcher on; returns its path. */
function kafkaOapConfigDir() {
  const dir = mkdtempSync(join(tmpdir(), 'swb-oap-kafka-config-'));
  cpSync(join(__dirname, '..', 'oap', 'config'), dir, { recursive: true });
  const file = join(dir, 'application.yml');
  const yml = readFileSync(file, 'utf8');
  if (/^kafka-fetcher:/m.test(yml))
    throw new Error('../oap/config/application.yml has a kafka-fetcher section already; merge this overlay into it');
  let withLogs = yml;
  if (/^\s*lalFiles: ""\s*$/m.test(yml)) {
    withLogs = yml.replace(/^(\s*)lalFiles: ""\s*$/m, '$1lalFiles: "default"');
    // a LAL filter makes the analyzer list its MAL rule dir, which must exist (empty: no rules)
    mkdirSync(join(dir, 'log-mal-rules'), { recursive: true });
    if (!existsSync(join(dir, 'lal', 'default.yaml'))) {
      mkdirSync(join(dir, 'lal'), { recursive: true });
      writeFileSync(
        join(dir, 'lal', 'default.yaml'),
        'rules:\n  - name: default\n    layer: GENERAL\n    dsl: |\n      filter {\n        sink {\n        }\n      }\n',
      );
    }
  }
  writeFileSync(file, `${withLogs.trimEnd()}\n${FETCHER}`);
  return dir;
}

module.exports = { kafkaOapConfigDir };
