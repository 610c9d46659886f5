import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/forward/line-splitter';
import { TEXT_PRESETS, textLogData, textMatcher, timeOf } from '../../src/forward/text-pattern';
import { ArgsError, parseForwardArgs } from '../../src/forward/cli';

describe('text patterns', () => {
  it('bracket: the issue’s line, with its time and level', () => {
    const line = '2020/07/25 11:28:35 service_request.go:119: [INFO] [trace_id=a1b2c3] [HttpRequest] start,x';
    const fields = TEXT_PRESETS.bracket!(line);
    expect(fields).toEqual({ traceId: 'a1b2c3', time: '2020/07/25 11:28:35', level: 'INFO' });
    expect(textLogData(line, fields!, { service: 'svc', instance: 'i-1' }, 5)).toEqual({
      timestamp: new Date(2020, 6, 25, 11, 28, 35).getTime(),
      service: 'svc',
      serviceInstance: 'i-1',
      endpoint: '',
      body: { text: { text: line } },
      traceContext: { traceId: 'a1b2c3', traceSegmentId: '', spanId: 0 },
      tags: [{ key: 'level', value: 'INFO' }],
      layer: '',
    });
    expect(TEXT_PRESETS.bracket!('no id here [INFO]')).toBeUndefined();
  });

  it('kv and json presets', () => {
    expect(TEXT_PRESETS.kv!('ts=1 level=warn trace_id=abc msg="x"')).toEqual({
      traceId: 'abc',
      time: undefined,
      level: undefined,
    });
    expect(TEXT_PRESETS.kv!('xtrace_id=abc')).toBeUndefined();
    expect(
      TEXT_PRESETS.json!('{"level":"warn","time":1700000000123,"trace_id":"t-1","service":"pay","msg":"slow"}'),
    ).toEqual({ traceId: 't-1', time: '1700000000123', level: 'warn', service: 'pay', instance: undefined });
    expect(TEXT_PRESETS.json!('{"span_id":"5"}')).toBeUndefined();
    expect(TEXT_PRESETS.json!('{"trace_id":"x"')).toBeUndefined();
  });

  it('a regex of the user’s, with named groups; a wrong one fails with what to change', () => {
    const m = textMatcher(String.raw`^(?<level>\w+) (?<service>\S+) tid:(?<trace_id>\w+)`);
    expect(m('ERROR billing tid:f00 failed')).toEqual({
      traceId: 'f00',
      time: undefined,
      level: 'ERROR',
      service: 'billing',
      instance: undefined,
    });
    expect(() => textMatcher('(')).toThrow(/--text-pattern "\(" is not a regular expression/);
    expect(() => textMatcher('tid:(\\w+)')).toThrow(
      /needs a named group \(\?<trace_id>…\), or a preset: bracket, kv, json/,
    );
  });

  it('times: epoch seconds, epoch ms, ISO; unreadable is now', () => {
    expect(timeOf('1700000000', 9)).toBe(1_700_000_000_000);
    expect(timeOf('1700000000123', 9)).toBe(1_700_000_000_123);
    expect(timeOf('2026-01-02T03:04:05.678Z', 9)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(timeOf('yesterday', 9)).toBe(9);
  });
});

describe('LineSplitter', () => {
  it('cuts lines across chunks with their end offsets, drops \\r, skips a line past the bound', () => {
    const s = new LineSplitter(8, 100);
    expect(s.push(Buffer.from('ab\r\ncd'))).toEqual([{ text: 'ab', end: 104 }]);
    expect(s.push(Buffer.from('ef\n0123456789'))).toEqual([{ text: 'cdef', end: 109 }]);
    expect(s.pending).toBe(0);
    expect(s.push(Buffer.from('abc\nok\n'))).toEqual([{ text: 'ok', end: 126 }]);
    expect(s.tooLong).toBe(1);
  });
});

describe('forward options', () => {
  it('refuses what it cannot use, saying why', () => {
    expect(() => parseForwardArgs(['--state', 'rel/state.json'])).toThrow(ArgsError);
    expect(() => parseForwardArgs(['--batch', '0'])).toThrow('--batch needs a whole number from 1 to 10000, got "0"');
    expect(() => parseForwardArgs(['--kafka', 'h:1', '--file', '/x'])).toThrow(
      '--kafka and --file cannot be used together',
    );
    expect(() => parseForwardArgs(['--bogus'])).toThrow('unknown option --bogus');
    expect(parseForwardArgs(['--file', '/var/log/app.log', '--no-follow'])).toMatchObject({
      files: ['/var/log/app.log'],
      follow: false,
      batch: 500,
    });
  });
});
