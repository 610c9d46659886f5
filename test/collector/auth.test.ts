/** Token compare, where an HTTP request carries the token, and the Host check. */
import { hostAllowed, requestToken, tokenMatches } from '../../src/collector/auth';

it('compares tokens exactly, at any length', () => {
  expect(tokenMatches('secret', 'secret')).toBe(true);
  expect(tokenMatches('secreT', 'secret')).toBe(false);
  expect(tokenMatches('secret-and-more', 'secret')).toBe(false);
  expect(tokenMatches('', 'secret')).toBe(false);
  expect(tokenMatches(undefined, 'secret')).toBe(false);
});

it('reads the token from Authorization: Bearer, an Authentication header, or the cookie', () => {
  expect(requestToken({ authorization: 'Bearer abc' })).toBe('abc');
  expect(requestToken({ authorization: 'bearer  abc ' })).toBe('abc');
  expect(requestToken({ authorization: 'Basic abc' })).toBeUndefined();
  expect(requestToken({ authentication: 'abc' })).toBe('abc');
  expect(requestToken({ cookie: 'a=1; sw_bridge_token=a%20b; c=2' })).toBe('a b');
  expect(requestToken({ cookie: 'sw_bridge_token=%E0%A4%A' })).toBeUndefined();
  expect(requestToken({})).toBeUndefined();
});

it('accepts IP literals and localhost with the bound port, allowed names, and nothing else', () => {
  for (const h of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080', '10.1.2.3:8080'])
    expect(hostAllowed(h, 8080, [])).toBe(true);
  for (const h of [
    '127.0.0.1:8081',
    'evil.example:8080',
    'localhost',
    '127.0.0.1',
    '[nope]:8080',
    '',
    'a:b:c',
    undefined,
  ])
    expect(hostAllowed(h, 8080, [])).toBe(false);
  expect(hostAllowed('localhost', 80, [])).toBe(true);
  expect(hostAllowed('collector.internal:8080', 8080, ['collector.internal'])).toBe(true);
  expect(hostAllowed('collector.internal:9999', 8080, ['collector.internal:9999'])).toBe(true);
  expect(hostAllowed('other:8080', 8080, ['collector.internal'])).toBe(false);
  expect(hostAllowed('anything', 8080, ['*'])).toBe(true);
});
