/**
 * Answers worth keeping while the store does not change: searches, keyed by their normalized query,
 * dropped all at once when the store's version moves. Bounded in entries and bytes; a value past
 * the bound is answered without being kept.
 */
export class VersionMemo {
  private version = -1;
  private readonly values = new Map<string, Buffer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  get(version: number, key: string, compute: () => Buffer): Buffer {
    if (version !== this.version) {
      this.values.clear();
      this.bytes = 0;
      this.version = version;
    }
    const kept = this.values.get(key);
    if (kept !== undefined) {
      this.hits++;
      return kept;
    }
    this.misses++;
    const value = compute();
    if (value.length > this.maxBytes) return value;
    while (this.values.size >= this.maxEntries || this.bytes + value.length > this.maxBytes) {
      const oldest = this.values.entries().next().value;
      if (oldest === undefined) break;
      this.values.delete(oldest[0]);
      this.bytes -= oldest[1].length;
    }
    this.values.set(key, value);
    this.bytes += value.length;
    return value;
  }
}
