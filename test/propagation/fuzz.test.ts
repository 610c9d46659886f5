/**
 * Hostile input for every header parser: random strings, binary/latin1 bytes, huge values,
 * repeated separators, and mutations of valid headers. Invariants: never throws; whatever is
 * accepted is valid and round-trips; time stays bounded. Deterministic seed.
 */
import { decodeB3Multi, decodeB3Single } from '../../src/propagation/b3';
import { decodeCorrelation } from '../../src/propagation/correlation';
import { decodeSw8x } from '../../src/propagation/extension';
import { decodeUberTraceId } from '../../src/propagation/jaeger';
import { extractLegacy } from '../../src/propagation/legacy';
import { decodeSw8, encodeSw8, isValidSw8 } from '../../src/propagation/sw8';
import { decodeTraceparent } from '../../src/propagation/w3c';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  '1-My40LjU=-MS4yLjM=-4-c2VydmljZQ==-aW5zdGFuY2U=-L2FwcA==-MTI3LjAuMC4xOjgwODA=',
  '1-MWYyZDRiZjQ3YmY3MTFlYWI3OTRhY2RlNDgwMDExMjI=-MWU3YzIwNGE3YmY3MTFlYWI4NThhY2RlNDgwMDExMjI=-0-c2VydmljZQ==-aW5zdGFuY2U=-cHJvcGFnYXRpb24=-cHJvcGFnYXRpb246NTU2Ng==',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90',
  '3e8a7c2f1d4b:5a6b7c8d9e0f1a2b:0:1',
  'dGVzdA==:dHJ1ZQ==,dGVzdC1rZXk=:dGVzdC12YWx1ZQ==',
  '1-1700000000000',
];
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-:,. %\u00e9\u4e2d\u0000\uffff';

function randomString(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++)
    s += r() < 0.1 ? String.fromCharCode(Math.floor(r() * 256)) : ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function mutate(r: () => number, s: string): string {
  const chars = [...s];
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const i = Math.floor(r() * (chars.length + 1));
    const op = r();
    if (op < 0.3) chars.splice(i, 1);
    else if (op < 0.6) chars.splice(i, 0, ALPHABET[Math.floor(r() * ALPHABET.length)]!);
    else if (op < 0.8 && i < chars.length) chars[i] = ALPHABET[Math.floor(r() * ALPHABET.length)]!;
    else {
      const parts = chars.join('').split('-');
      const a = Math.floor(r() * parts.length);
      const b = Math.floor(r() * parts.length);
      [parts[a], parts[b]] = [parts[b]!, parts[a]!];
      return parts.join('-');
    }
  }
  return chars.join('');
}

function* inputs(seed: number, count: number): Generator<string> {
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const kind = r();
    if (kind < 0.45) yield mutate(r, VALID[Math.floor(r() * VALID.length)]!);
    else if (kind < 0.85) yield randomString(r, 120);
    else if (kind < 0.95) yield '-'.repeat(Math.floor(r() * 5000)) + ':'.repeat(Math.floor(r() * 50));
    else yield randomString(r, 20) + 'A'.repeat(Math.floor(r() * 200_000));
  }
}

function check(value: string): void {
  const sw8 = decodeSw8(value);
  if (sw8) {
    expect(isValidSw8(sw8)).toBe(true);
    expect(decodeSw8(encodeSw8(sw8))).toEqual(sw8);
  }
  decodeCorrelation(value);
  decodeSw8x(value);
  const w3c = decodeTraceparent(value);
  if (w3c) expect(w3c.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  const b3 = decodeB3Single(value);
  if (b3) expect(b3.spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  const jaeger = decodeUberTraceId(value);
  if (jaeger) expect(jaeger.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  const legacy = extractLegacy(
    (name) => (name === 'x-b3-traceid' || name === 'x-b3-spanid' || name === 'uber-trace-id' ? value : undefined),
    () => ['uberctx-k'],
  );
  if (legacy) expect(legacy.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  decodeB3Multi((name) => (name === 'x-b3-sampled' ? value : 'a'.repeat(16)));
}

/** Check `count` inputs from `seed`; how many of them decode as sw8. */
function fuzz(seed: number, count: number): number {
  let accepted = 0;
  for (const value of inputs(seed, count)) {
    check(value);
    if (decodeSw8(value)) accepted++;
  }
  return accepted;
}

it('never throws and accepts only valid headers (30,000 inputs)', () => {
  // mutations of valid headers keep some valid ones: the parser is not rejecting everything
  expect(fuzz(0xc0ffee, 30_000)).toBeGreaterThan(100);
});

// no clock here: pathological inputs are refused by length before parsing (the next test), and the
// decoders' speed is measured in bench/ (the sw8 inject+extract case). The timeout is the work's
// size: ~3 s on a quiet 2-core machine, room for a machine ten times busier.
it('never throws on 100,000 more inputs, including 200 KB values', () => {
  expect(fuzz(42, 100_000)).toBeGreaterThan(100);
}, 120_000);

it('rejects pathological inputs by length before any parsing', () => {
  const huge = `${'1-'.repeat(60_000)}x`;
  expect(decodeSw8(huge)).toBeUndefined();
  expect(decodeTraceparent(huge)).toBeUndefined();
  expect(decodeB3Single(huge)).toBeUndefined();
  expect(decodeUberTraceId(huge)).toBeUndefined();
  expect(decodeCorrelation(huge).size).toBe(0);
  expect(decodeSw8x(huge)).toBeUndefined();
});

it('survives getters that throw or return odd values', () => {
  expect(
    extractLegacy(() => {
      throw new Error('boom');
    }),
  ).toBeUndefined();
  expect(extractLegacy((() => 42) as never)).toBeUndefined();
});
