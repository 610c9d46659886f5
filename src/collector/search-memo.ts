/**
 * Answers worth keeping while the store does not change: searches, keyed by their normalized query.
 * An answer is served while the store's version is the one it was computed at, or (as the
 * store-wide analysis) while it is younger than `maxAgeMs`, so a burst of reads during ingestion is
 * not worked out once per arriving segment. Bounded in entries and bytes, oldest out; a value past
 * the byte bound is answered without being kept.
 */
export class VersionMemo {
  private readonly values = new Map<string, { value: Buffer; version: number; at: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  /** The kept answer when it is still good, else undefined (counted as a hit when found). */
  peek(version: number, key: string, maxAgeMs: number, now = Date.now()): Buffer | undefined {
    const kept = this.values.get(key);
    if (kept === undefined || (kept.version !== version && now - kept.at >= maxAgeMs)) return undefined;
    this.hits++;
    return kept.value;
  }

  get(version: number, key: string, maxAgeMs: number, compute: () => Buffer, now = Date.now()): Buffer {
    const fresh = this.peek(version, key, maxAgeMs, now);
    if (fresh !== undefined) return fresh;
    const kept = this.values.get(key);
    this.misses++;
    if (kept !== undefined) this.drop(key, kept.value.length);
    const value = compute();
    if (value.length > this.maxBytes) return value;
    while (this.values.size >= this.maxEntries || this.bytes + value.length > this.maxBytes) {
      const oldest = this.values.entries().next().value;
      if (oldest === undefined) break;
      this.drop(oldest[0], oldest[1].value.length);
    }
    this.values.set(key, { value, version, at: now });
    this.bytes += value.length;
    return value;
  }

  private drop(key: string, size: number): void {
    this.values.delete(key);
    this.bytes -= size;
  }
}
