/** The log options: defaults, env names, aliases, bad values failing fast with what to change; logging switched off. */
import { resolveConfig } from '../../src/base/config';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { MemoryReporter } from '../../src/reporter/memory';

it('defaults, env and options', () => {
  const d = resolveConfig({}, {});
  expect([d.logReporterActive, d.logLevel, d.logMaxBufferSize, d.logBodyMaxLength, d.traceIdHeader]).toEqual([
    true,
    'info',
    10_000,
    16_384,
    '',
  ]);
  const e = resolveConfig(
    {},
    {
      SW_AGENT_LOG_REPORTER_ACTIVE: 'false',
      SW_AGENT_LOG_REPORTER_LEVEL: 'WARNING',
      SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE: '500',
      SW_BRIDGE_LOG_BODY_MAX_LENGTH: '1000',
    },
  );
  expect([e.logReporterActive, e.logLevel, e.logMaxBufferSize, e.logBodyMaxLength]).toEqual([false, 'warn', 500, 1000]);
  expect(resolveConfig({ logLevel: 'Critical' }, { SW_AGENT_LOG_REPORTER_LEVEL: 'debug' }).logLevel).toBe('fatal');
});

it('bad values fail fast naming the option, the env var and the accepted form', () => {
  expect(() => resolveConfig({ logLevel: 'verbose' }, {})).toThrow(
    "option `logLevel` is the string \"verbose\"; expected one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal' (or WARNING, CRITICAL) (or leave it out and set env SW_AGENT_LOG_REPORTER_LEVEL).",
  );
  expect(() => resolveConfig({}, { SW_AGENT_LOG_REPORTER_LEVEL: 'constructor' })).toThrow(
    /env SW_AGENT_LOG_REPORTER_LEVEL is "constructor"/,
  );
  expect(() => resolveConfig({}, { SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE: '0' })).toThrow(
    /env SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE is "0"; expected a whole number from 1 to 1000000/,
  );
  expect(() => resolveConfig({ logBodyMaxLength: 8 }, {})).toThrow(
    /option `logBodyMaxLength` is 8; expected a whole number from 16 to 4000000 \(or leave it out and set env SW_BRIDGE_LOG_BODY_MAX_LENGTH\)/,
  );
  expect(() => resolveConfig({}, { SW_AGENT_LOG_REPORTER_ACTIVE: 'maybe' })).toThrow(
    /SW_AGENT_LOG_REPORTER_ACTIVE is "maybe"; expected true or false/,
  );
});

it('logReporterActive false: records are counted dropped, none reach the reporter', async () => {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({ reporter, logReporterActive: false });
  tracer.reportLog({ body: 'x' });
  expect(reporter.logs).toEqual([]);
  expect(tracer.stats().logs).toEqual({ queued: 0, sent: 0, dropped: 1, lost: 0, filtered: 0 });
  await tracer.shutdown();
});
