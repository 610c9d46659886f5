/** Level names of pino, winston (npm and syslog), OTel and Python against the minimum level. */
import { resolveConfig } from '../../src/base/config';
import { otelSeverity, pinoLevelName, rankOf } from '../../src/logs/levels';
import { levelPasses } from '../../src/logs/record';

it('maps names and numbers to ranks; unknown is info', () => {
  expect(
    [
      'trace',
      'silly',
      'verbose',
      'debug',
      'http',
      'info',
      'notice',
      'warn',
      'WARNING',
      'error',
      'err',
      'crit',
      'CRITICAL',
      'alert',
      'emerg',
      'fatal',
    ].map(rankOf),
  ).toEqual([10, 10, 15, 20, 25, 30, 35, 40, 40, 50, 50, 55, 60, 60, 60, 60]);
  expect([rankOf(45), rankOf('45'), rankOf('custom'), rankOf(undefined), rankOf('constructor')]).toEqual([
    45, 45, 30, 30, 30,
  ]);
  expect([10, 20, 30, 40, 50, 60, 35].map(pinoLevelName)).toEqual([
    'trace',
    'debug',
    'info',
    'warn',
    'error',
    'fatal',
    '35',
  ]);
  expect([0, 1, 5, 9, 13, 17, 21, 24, undefined].map((n) => otelSeverity(n).name)).toEqual([
    'info',
    'trace',
    'debug',
    'info',
    'warn',
    'error',
    'fatal',
    'fatal',
    'info',
  ]);
});

it('the minimum level: warn lets warn, error, crit through and stops info, notice, http', () => {
  const config = resolveConfig({ logLevel: 'warn' }, {});
  expect(['warn', 'error', 'crit', 50, 'info', 'notice', 'http', 30].map((l) => levelPasses(config, l))).toEqual([
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});
