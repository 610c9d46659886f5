/**
 * The ids `skywalkingDestination` sends beside its lines: before a line where the active span
 * changes, its carrier as a JSON string (so no character of any id can end the line or the ids
 * early), then `\u0001`; `\u0001` alone: no span. They hold for the lines after it in the same batch
 * (a batch's first line always has them). Only the destination writes into its batches, and a pino
 * line is JSON, whose strings never hold a raw control character: nothing else can set them.
 */
import type { CarriedIds } from '../logs/carrier';
import { bytesAre, copyOf, idsOfValue } from './line';

/** Ends the ids written before a line. */
export const OUT_OF_BAND = '\u0001';
const OUT_OF_BAND_BYTE = 1;
const QUOTE = 34;
const BACKSLASH = 92;

/** The head written before a line for the carrier `packed` ('' : no span). */
export function outOfBandHead(packed: string): string {
  return packed === '' ? OUT_OF_BAND : JSON.stringify(packed) + OUT_OF_BAND;
}

/** Reads the heads of a destination's lines; decodes ids again only when they differ from the last ones. */
export class OutOfBandIds {
  /** The ids in force (set by the last head read). */
  ids: CarriedIds | null = null;
  private bytes: Uint8Array = new Uint8Array(0);
  private last: CarriedIds | null = null;

  /** Where the line of `bytes[start, end)` starts after its head (start when it has none). */
  read(bytes: Buffer, start: number, end: number): number {
    const c = bytes[start];
    if (c === OUT_OF_BAND_BYTE) {
      this.ids = null;
      return start + 1;
    }
    if (c !== QUOTE) return start;
    let j = start + 1;
    for (; j < end; j++) {
      const d = bytes[j];
      if (d === BACKSLASH) j++;
      else if (d === QUOTE) break;
    }
    if (j + 1 >= end || bytes[j + 1] !== OUT_OF_BAND_BYTE) return start;
    if (!bytesAre(bytes, start, j + 1, this.bytes)) {
      this.bytes = copyOf(bytes, start, j + 1);
      this.last = idsOfValue(bytes, start, j + 1);
    }
    this.ids = this.last;
    return j + 2;
  }
}
