import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/reporter/byte-queue';

const b = (s: string): Buffer => Buffer.from(s);
const str = (xs: Buffer[]): string[] => xs.map((x) => x.toString());

describe('ByteQueue', () => {
  it('keeps order and drops the oldest when full', () => {
    const q = new ByteQueue(3);
    expect(q.push(b('a'))).toBe(0);
    expect(q.push(b('bb'))).toBe(0);
    expect(q.push(b('ccc'))).toBe(0);
    expect(q.push(b('dddd'))).toBe(1);
    expect(q.length).toBe(3);
    expect(q.bytes).toBe(9);
    expect(str(q.take(10))).toEqual(['bb', 'ccc', 'dddd']);
    expect(q.length).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('takes at most n records and at most maxBytes, but always one', () => {
    const q = new ByteQueue(10);
    for (const s of ['aaaa', 'bbbb', 'cccc', 'dddd']) q.push(b(s));
    expect(str(q.take(1))).toEqual(['aaaa']);
    expect(str(q.take(10, 3))).toEqual(['bbbb']);
    expect(str(q.take(10, 8))).toEqual(['cccc', 'dddd']);
  });

  it('puts a refused batch back at the head, keeping what fits', () => {
    const q = new ByteQueue(4);
    for (const s of ['1', '2', '3', '4']) q.push(b(s));
    const batch = q.take(3);
    q.push(b('5'));
    q.push(b('6'));
    expect(q.unshift(batch)).toBe(2);
    expect(str(q.take(10))).toEqual(['3', '4', '5', '6']);
    q.push(b('7'));
    expect(q.unshift([b('x'), b('y')])).toBe(0);
    expect(str(q.take(10))).toEqual(['x', 'y', '7']);
  });

  it('holds no reference to a dropped or taken record', () => {
    const q = new ByteQueue(2);
    for (let i = 0; i < 1000; i++) q.push(Buffer.alloc(10));
    expect(q.bytes).toBe(20);
    q.take(1);
    expect(q.clear()).toBe(1);
    expect(q.bytes).toBe(0);
    expect(() => new ByteQueue(0)).toThrow(/positive integer/);
  });
});
