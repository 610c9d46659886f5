/** What the list threads through: a `Segment`'s links (this file needs no more of it). */
export interface Listed<T> {
  prevOpen: T | undefined;
  nextOpen: T | undefined;
  listed: boolean;
}

/**
 * The recorder's open segments, as a list threaded through the segments themselves
 * (`prevOpen`/`nextOpen`): adding and removing one is two pointer writes, where a `Set` would hash
 * on every segment open and close. Oldest first.
 */
export class OpenSegments<Segment extends Listed<Segment>> {
  private head: Segment | undefined;
  private tail: Segment | undefined;
  size = 0;

  add(segment: Segment): void {
    segment.prevOpen = this.tail;
    segment.nextOpen = undefined;
    if (this.tail) this.tail.nextOpen = segment;
    else this.head = segment;
    this.tail = segment;
    segment.listed = true;
    this.size++;
  }

  /** Remove `segment` if it is listed (a second delete does nothing). */
  delete(segment: Segment): void {
    if (!segment.listed) return;
    segment.listed = false;
    const { prevOpen, nextOpen } = segment;
    if (prevOpen) prevOpen.nextOpen = nextOpen;
    else this.head = nextOpen;
    if (nextOpen) nextOpen.prevOpen = prevOpen;
    else this.tail = prevOpen;
    segment.prevOpen = undefined;
    segment.nextOpen = undefined;
    this.size--;
  }

  /** The oldest open segment (follow `nextOpen` for the rest). */
  get oldest(): Segment | undefined {
    return this.head;
  }

  /** The open segments now, oldest first (a copy: closing them while iterating is safe). */
  list(): Segment[] {
    const out: Segment[] = [];
    for (let s = this.head; s; s = s.nextOpen) out.push(s);
    return out;
  }
}
