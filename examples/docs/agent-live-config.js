'use strict';
// Sampling and an ignore path set live, the embedded collector standing in for the OAP:
// node examples/docs/agent-live-config.js
const { SkyWalkingTracer, startCollector } = require('skywalking-bridge');

async function main() {
  const collector = await startCollector({ grpcPort: 0, httpPort: false });
  // what an operator sets in the OAP's configuration-discovery.default.agentConfigurations
  const yaml = `
configurations:
  orders:
    agent.sample_n_per_3_secs: 2
    agent.trace.ignore_path: /health/**
`;
  collector.agentConfigurations.set(yaml);
  const tracer = new SkyWalkingTracer({ serviceName: 'orders', collectorAddress: collector.grpcAddress });
  // the first fetch happens at start
  while ((tracer.stats().configDiscovery?.applied ?? 0) === 0) await new Promise((r) => setTimeout(r, 50));

  for (let i = 0; i < 10; i++) tracer.startSpan('/orders').finish();
  tracer.startSpan('/health/live').finish();
  const { sampled, notSampled, ignoredPath } = tracer.stats().sampling;
  console.log(`sampled ${sampled}, not sampled ${notSampled}, ignored ${ignoredPath}`);
  // -> sampled 2, not sampled 8, ignored 1

  await tracer.shutdown();
  await collector.stop();
}
main();
