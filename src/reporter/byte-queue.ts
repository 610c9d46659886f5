/**
 * A first-in first-out queue of encoded records (segments, log records) with a fixed capacity.
 *
 * It is a ring: the slots are allocated once, a full queue drops its oldest record by overwriting
 * it, and a slot is cleared the moment its record leaves. So the memory the queue holds is bounded
 * by `capacity` records at all times, also while nothing is taken from it (a collector that is
 * away for hours).
 */
export class ByteQueue {
  private readonly slots: (Buffer | undefined)[];
  private head = 0;
  private count = 0;
  private byteCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ByteQueue capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<Buffer | undefined>(capacity).fill(undefined);
  }

  /** Records waiting. */
  get length(): number {
    return this.count;
  }

  /** Bytes of the records waiting. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Adds a record at the tail; when the queue is full the oldest record is dropped. Returns how many were dropped (0 or 1). */
  push(record: Buffer): number {
    const tail = (this.head + this.count) % this.capacity;
    if (this.count < this.capacity) {
      this.slots[tail] = record;
      this.count++;
      this.byteCount += record.length;
      return 0;
    }
    // full: the tail slot is the head slot; overwrite the oldest and move the head on
    this.byteCount += record.length - this.slots[tail]!.length;
    this.slots[tail] = record;
    this.head = (this.head + 1) % this.capacity;
    return 1;
  }

  /** Takes up to `n` records from the head, at most `maxBytes` together but always at least one. */
  take(n: number, maxBytes = Infinity): Buffer[] {
    const batch: Buffer[] = [];
    let bytes = 0;
    while (batch.length < n && this.count > 0) {
      const record = this.slots[this.head]!;
      if (batch.length > 0 && bytes + record.length > maxBytes) break;
      bytes += record.length;
      batch.push(record);
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    this.byteCount -= bytes;
    return batch;
  }

  /**
   * Puts records back at the head, in their order (a batch the collector refused, to be sent again).
   * When they do not all fit, the oldest of them are dropped, as `push` drops the oldest.
   * Returns how many were dropped.
   */
  unshift(records: readonly Buffer[]): number {
    const room = this.capacity - this.count;
    const dropped = Math.max(0, records.length - room);
    for (let i = records.length - 1; i >= dropped; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = records[i];
      this.byteCount += records[i]!.length;
      this.count++;
    }
    return dropped;
  }

  /** Empties the queue. Returns how many records it held. */
  clear(): number {
    const n = this.count;
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.byteCount = 0;
    return n;
  }
}
