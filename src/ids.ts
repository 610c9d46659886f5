import { randomFillSync } from 'node:crypto';

/**
 * Cheap ids: 32 lowercase hex characters (128 random bits), drawn from a pool of random bytes
 * refilled 4 KiB at a time, so an id costs no syscall and no uuid formatting.
 * The shape matches OTel trace ids and the ids of the Node, Python and Go SkyWalking agents.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function take(n: number): number {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += n;
  return start;
}

/** A new 32-hex id (trace or segment id). Never all zeros. */
export function newId(): string {
  const start = take(16);
  const id = pool.toString('hex', start, start + 16);
  return id === '00000000000000000000000000000000' ? newId() : id;
}

/** A new 16-hex id (an OTel-style span id). Never all zeros. */
export function newShortId(): string {
  const start = take(8);
  const id = pool.toString('hex', start, start + 8);
  return id === '0000000000000000' ? newShortId() : id;
}

const HEX32 = /^[0-9a-f]{32}$/;

/** True for 32 lowercase hex characters that are not all zeros (a valid OTel trace id). */
export function isHex32(value: string): boolean {
  return value.length === 32 && HEX32.test(value) && value !== '00000000000000000000000000000000';
}
