/**
 * The sampling window on its own: n traces per 3 s from the moment sampling is turned on, the
 * count reset at each window edge, forced traces taking places past n, turning off and on.
 */
import { SAMPLE_WINDOW_MS, TraceSampler } from '../../src/segment/sampler';

describe('TraceSampler', () => {
  it('takes n traces per window and refuses the rest until the window ends', () => {
    const s = new TraceSampler(2, 1_000);
    expect([s.trySample(1_000), s.trySample(1_001), s.trySample(1_002)]).toEqual([true, true, false]);
    // the last millisecond of the window [1000, 4000) is still in it
    expect(s.trySample(3_999)).toBe(false);
    // the edge opens a new window
    expect([s.trySample(4_000), s.trySample(4_000), s.trySample(4_001)]).toEqual([true, true, false]);
  });

  it('skips windows in which nothing happened, keeping the edges on the 3 s grid', () => {
    const s = new TraceSampler(1, 0);
    expect(s.trySample(0)).toBe(true);
    expect(s.trySample(10_000)).toBe(true); // window [9000, 12000)
    expect(s.trySample(11_999)).toBe(false);
    expect(s.trySample(12_000)).toBe(true);
    expect(SAMPLE_WINDOW_MS).toBe(3000);
  });

  it('forced traces take places, past n too, so fewer local traces are sampled', () => {
    const s = new TraceSampler(2, 0);
    s.force(1);
    s.force(2);
    s.force(3);
    expect(s.trySample(4)).toBe(false);
    expect(s.trySample(3_000)).toBe(true);
  });

  it('off (n ≤ 0) samples everything; turning it on starts a fresh window then', () => {
    const s = new TraceSampler(0, 0);
    for (let i = 0; i < 10; i++) expect(s.trySample(i)).toBe(true);
    s.setRate(-1, 100);
    expect(s.trySample(101)).toBe(true);
    s.setRate(1, 500);
    expect([s.trySample(500), s.trySample(3_499), s.trySample(3_500)]).toEqual([true, false, true]);
    // changing n while on keeps the window and its count
    s.setRate(3, 3_600);
    expect([s.trySample(3_601), s.trySample(3_602), s.trySample(3_603)]).toEqual([true, true, false]);
  });
});
