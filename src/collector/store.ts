import type { KeyStringValuePair, SegmentObject } from '../model';

export interface InstanceRecord {
  service: string;
  instance: string;
  properties: Record<string, string[]>;
  /** Epoch ms of the last keepAlive (0 = none yet). */
  lastPing: number;
}

export interface StoreLimits {
  maxSegments: number;
  maxBytes: number;
}

/** A rough size of a segment in memory, for the byte bound. */
function sizeOf(seg: SegmentObject): number {
  let n = 200 + seg.traceId.length + seg.traceSegmentId.length + seg.service.length + seg.serviceInstance.length;
  for (const s of seg.spans) {
    n += 150 + s.operationName.length + s.peer.length;
    for (const t of s.tags) n += 40 + t.key.length + t.value.length;
    for (const l of s.logs) for (const d of l.data) n += 40 + d.key.length + d.value.length;
    n += s.refs.length * 300;
  }
  return n;
}

/** Recent segments, instances and logs in memory; oldest segments out past the count or byte bound. */
export class CollectorStore {
  private readonly list: Array<{ seg: SegmentObject; size: number }> = [];
  private head = 0;
  private bytes = 0;
  private readonly byTrace = new Map<string, SegmentObject[]>();
  private readonly instanceMap = new Map<string, InstanceRecord>();
  readonly logs: unknown[] = [];
  evicted = 0;
  /** Bumped on every change, so watchers can tell something arrived. */
  version = 0;

  constructor(private readonly limits: StoreLimits) {}

  add(seg: SegmentObject): void {
    const size = sizeOf(seg);
    this.list.push({ seg, size });
    this.bytes += size;
    let t = this.byTrace.get(seg.traceId);
    if (!t) {
      t = [];
      this.byTrace.set(seg.traceId, t);
    }
    t.push(seg);
    while (this.count() > this.limits.maxSegments || (this.bytes > this.limits.maxBytes && this.count() > 1)) this.evictOldest();
    this.version++;
  }

  private evictOldest(): void {
    const { seg, size } = this.list[this.head]!;
    this.head++;
    this.bytes -= size;
    this.evicted++;
    const t = this.byTrace.get(seg.traceId);
    if (t) {
      const i = t.indexOf(seg);
      if (i >= 0) t.splice(i, 1);
      if (t.length === 0) this.byTrace.delete(seg.traceId);
    }
    if (this.head > 1024 && this.head * 2 > this.list.length) {
      this.list.splice(0, this.head);
      this.head = 0;
    }
  }

  count(): number {
    return this.list.length - this.head;
  }

  segments(): SegmentObject[] {
    return this.list.slice(this.head).map((e) => e.seg);
  }

  traceIds(): string[] {
    return [...this.byTrace.keys()];
  }

  trace(traceId: string): SegmentObject[] {
    return [...(this.byTrace.get(traceId) ?? [])];
  }

  private instanceOf(service: string, instance: string): InstanceRecord {
    const key = `${service}\u0000${instance}`;
    let r = this.instanceMap.get(key);
    if (!r) {
      if (this.instanceMap.size >= 10_000) this.instanceMap.clear();
      r = { service, instance, properties: {}, lastPing: 0 };
      this.instanceMap.set(key, r);
    }
    return r;
  }

  setProperties(service: string, instance: string, properties: KeyStringValuePair[]): void {
    const r = this.instanceOf(service, instance);
    r.properties = {};
    for (const p of properties) (r.properties[p.key] ??= []).push(p.value);
    this.version++;
  }

  ping(service: string, instance: string): void {
    this.instanceOf(service, instance).lastPing = Date.now();
    this.version++;
  }

  instances(): InstanceRecord[] {
    return [...this.instanceMap.values()].map((r) => ({ ...r, properties: { ...r.properties } }));
  }

  addLog(log: unknown): void {
    this.logs.push(log);
    if (this.logs.length > this.limits.maxSegments) this.logs.shift();
    this.version++;
  }
}
