/** The entries as few buffers as possible: entries that lie next to each other in memory become one view. */
export function contiguous(entries: readonly Buffer[]): Buffer[] {
  const parts: Buffer[] = [];
  let first = entries[0]!;
  let end = first.byteOffset + first.length;
  let runLength = first.length;
  let runs = 1;
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.buffer === first.buffer && e.byteOffset === end) {
      end += e.length;
      runLength += e.length;
      runs++;
      continue;
    }
    parts.push(runs === 1 ? first : Buffer.from(first.buffer, first.byteOffset, runLength));
    first = e;
    end = e.byteOffset + e.length;
    runLength = e.length;
    runs = 1;
  }
  parts.push(runs === 1 ? first : Buffer.from(first.buffer, first.byteOffset, runLength));
  return parts;
}
