/** Attribute values as tag text: objects (api 1.10 allows any value) as bounded JSON, not "[object Object]". */
import { attributeText, boundedJson } from '../../src/opentelemetry/attribute-text';

it('keeps primitives and primitive arrays as before', () => {
  expect(attributeText('a')).toBe('a');
  expect(attributeText(1.5)).toBe('1.5');
  expect(attributeText(false)).toBe('false');
  expect(attributeText(10n)).toBe('10');
  expect(attributeText(['a', null, 2, true])).toBe('a,,2,true');
  expect(attributeText(null)).toBeUndefined();
  expect(attributeText(undefined)).toBeUndefined();
  expect(attributeText(() => 1)).toBeUndefined();
});

it('writes objects and nested arrays as JSON', () => {
  expect(attributeText({ user: { id: 7, roles: ['a', 'b'] }, ok: true, skip: undefined, fn: () => 1 })).toBe(
    '{"user":{"id":7,"roles":["a","b"]},"ok":true}',
  );
  expect(attributeText([{ a: 1 }, [2]])).toBe('[{"a":1},[2]]');
  expect(attributeText({ at: new Date(0), big: 2n, nan: Number.NaN, m: new Map([['k', 1]]) })).toBe(
    '{"at":"1970-01-01T00:00:00.000Z","big":"2","nan":null,"m":{"k":1}}',
  );
  expect(attributeText(new Uint8Array([1, 2, 3]))).toBe('AQID');
});

it('is bounded: cycles, depth, length, and throwing getters', () => {
  const cyclic: Record<string, unknown> = { name: 'x' };
  cyclic.self = cyclic;
  expect(attributeText(cyclic)).toBe('{"name":"x","self":"[Circular]"}');
  let deep: unknown = 1;
  for (let i = 0; i < 20; i++) deep = { d: deep };
  expect(boundedJson(deep, 1000, 3)).toBe('{"d":{"d":{"d":"[Object]"}}}');
  const big = boundedJson({ list: Array.from({ length: 100_000 }, (_, i) => i) }, 50);
  expect(big).toHaveLength(50);
  expect(big.endsWith('...')).toBe(true);
  const trap = {
    get boom(): never {
      throw new Error('no');
    },
  };
  expect(attributeText(trap)).toBe('[unreadable]');
});
