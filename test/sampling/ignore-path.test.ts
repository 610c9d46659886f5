/**
 * The ignore-path matcher against the Java agent's own examples (skywalking-java,
 * apm-trace-ignore-plugin's TracePathMatcherTest), every one of them.
 */
import { matchAnyPath, matchPath } from '../../src/segment/ignore-path';

const JAVA_AGENT_CASES: Array<[string, string, boolean]> = [
  ['/eureka/*', '/eureka/apps', true],
  ['/eureka/*', '/eureka/', true],
  ['/eureka/*', '/eureka/apps/', true],
  ['/eureka/**', '/eureka/apps/', true],
  ['/eureka/*/', '/eureka/apps/', true],
  ['/eureka/*/', '/eureka/', false],
  ['/eureka/*/', '/eureka/apps/list', false],
  ['/eureka/*/', '/eureka/test', false],
  ['/eureka/**', '/eureka/', true],
  ['/eureka/**', '/eureka/apps/test', true],
  ['/eureka/**', '/eureka/apps/test/', true],
  ['eureka/apps/?', 'eureka/apps/list', false],
  ['eureka/apps/?', 'eureka/apps/', false],
  ['eureka/apps/?', 'eureka/apps/a', true],
  ['eureka/**/lists', 'eureka/apps/lists', true],
  ['eureka/**/lists', 'eureka/apps/test/lists', true],
  ['eureka/**/lists', 'eureka/apps/test/', false],
  ['eureka/**/lists', 'eureka/apps/test', false],
  ['eureka/**/test/**', 'eureka/apps/test/list', true],
  ['eureka/**/test/**', 'eureka/apps/foo/test/list/bar', true],
  ['eureka/**/test/**', 'eureka/apps/foo/test/list/bar/', true],
  ['eureka/**/test/**', 'eureka/apps/test/list', true],
  ['eureka/**/test/**', 'eureka/test/list', true],
  ['/eureka/**/b/**/*.txt', '/eureka/a/aa/aaa/b/bb/bbb/xxxxxx.txt', true],
  ['/eureka/**/b/**/*.txt', '/eureka/a/aa/aaa/b/bb/bbb/xxxxxx', false],
  ['abc/*', 'abc/foo/bar', false],
];

describe('matchPath (the Java agent’s FastPathMatcher syntax)', () => {
  it.each(JAVA_AGENT_CASES)('%s against %s: %s', (pattern, path, expected) => {
    expect(matchPath(pattern, path)).toBe(expected);
  });

  it('plain text matches only itself; ? is one character other than /', () => {
    expect(matchPath('/health', '/health')).toBe(true);
    expect(matchPath('/health', '/healthz')).toBe(false);
    expect(matchPath('/v?/ping', '/v1/ping')).toBe(true);
    expect(matchPath('/v?/ping', '/v//ping')).toBe(false);
    expect(matchPath('/v?/ping', '/v12/ping')).toBe(false);
    expect(matchPath('', '')).toBe(true);
    expect(matchPath('**', '')).toBe(true);
  });

  it('matchAnyPath: any of the list', () => {
    expect(matchAnyPath(['/health/**', '/metrics'], '/metrics')).toBe(true);
    expect(matchAnyPath(['/health/**', '/metrics'], '/health/live')).toBe(true);
    expect(matchAnyPath(['/health/**', '/metrics'], '/orders')).toBe(false);
    expect(matchAnyPath([], '/orders')).toBe(false);
  });
});
