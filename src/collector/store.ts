import type { KeyStringValuePair, SegmentObject } from '../base/model';
import { type StoredLog, logSize, toStoredLog } from './logs';

/** Heap per decoded object (V8, Node 20), on top of its strings' characters. */
const SEGMENT_OVERHEAD = 400;
const SPAN_OVERHEAD = 600;
const REF_OVERHEAD = 300;
const PAIR_OVERHEAD = 120;

/** Services whose first segment time is kept (for the heartbeat check). */
const MAX_SERVICES_SEEN = 10_000;

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
  maxLogs: number;
  maxLogBytes: number;
}

/** What the store holds and has thrown away. */
export interface StoreStats {
  segments: number;
  /** Segments' bytes (see segmentSize). */
  bytes: number;
  /** Bytes of what is worked out per trace (summaries, analysis shares, answers); with `bytes`, within maxBytes. */
  memoBytes: number;
  /** Worked-out values not kept, for want of room (reads never evict segments). */
  memosRefused: number;
  evicted: number;
  logs: number;
  logBytes: number;
  logsEvicted: number;
  /** Logs larger than the whole log byte bound, not kept. */
  logsRefused: number;
  traces: number;
}

/**
 * A rough size of a segment in memory, for the byte bound: the characters of every string (ids,
 * names, tags, span logs, every field of every ref) plus what V8 takes per decoded object, measured
 * on Node 20 (a 3-span segment with a ref and 3 tags takes ~3 KB of heap once stored).
 */
export function segmentSize(seg: SegmentObject): number {
  let n =
    SEGMENT_OVERHEAD + seg.traceId.length + seg.traceSegmentId.length + seg.service.length + seg.serviceInstance.length;
  for (const s of seg.spans) {
    n += SPAN_OVERHEAD + s.operationName.length + s.peer.length;
    for (const t of s.tags) n += PAIR_OVERHEAD + t.key.length + t.value.length;
    for (const l of s.logs) {
      n += PAIR_OVERHEAD;
      for (const d of l.data) n += PAIR_OVERHEAD + d.key.length + d.value.length;
    }
    for (const r of s.refs) {
      n +=
        REF_OVERHEAD +
        r.traceId.length +
        r.parentTraceSegmentId.length +
        r.parentService.length +
        r.parentServiceInstance.length +
        r.parentEndpoint.length +
        r.networkAddressUsedAtPeer.length;
    }
  }
  return n;
}

/** One trace's segments and logs, and what has been worked out from them (dropped on every change). */
export interface TraceEntry {
  segments: SegmentObject[];
  logs: StoredLog[];
  /** Bumped on every change to this trace. */
  version: number;
  /** Epoch ms of the last change. */
  changedAt: number;
  memo: Map<string, unknown>;
  /** Bytes of what is memoized, counted with the segments' bytes. */
  memoBytes: number;
}

/** A first-in first-out list with O(1) removal at the head. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  shift(): T {
    const v = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  toArray(): T[] {
    return this.items.slice(this.head);
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

const INSTANCE_BYTES = 8 * 1024 * 1024;

function removeFirst<T>(list: T[], v: T): void {
  // the evicted item is the oldest, so almost always the first
  const i = list[0] === v ? 0 : list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
}

/**
 * Recent segments, logs and instances in memory. Segments and logs each have a count and a byte
 * bound; past either, the oldest go. Logs are indexed by trace next to the segments, so reading a
 * trace costs only that trace.
 */
export class CollectorStore {
  private readonly segList = new Fifo<{ seg: SegmentObject; size: number }>();
  private readonly logList = new Fifo<{ log: StoredLog; size: number }>();
  private bytes = 0;
  private memoBytes = 0;
  private logBytes = 0;
  private logSeq = 0;
  private readonly byTrace = new Map<string, TraceEntry>();
  private readonly instanceMap = new Map<string, InstanceRecord>();
  private instanceBytes = 0;
  evicted = 0;
  logsEvicted = 0;
  logsRefused = 0;
  /** Memo values not kept for want of room under maxBytes. */
  memosRefused = 0;
  /** Bumped on every change, so watchers can tell something arrived. */
  version = 0;
  /** Bumped when the stored segments change (what the store-wide analysis depends on). */
  segmentsVersion = 0;

  constructor(private readonly limits: StoreLimits) {}

  private entry(traceId: string): TraceEntry {
    let t = this.byTrace.get(traceId);
    if (!t) {
      t = { segments: [], logs: [], version: 0, changedAt: Date.now(), memo: new Map(), memoBytes: 0 };
      this.byTrace.set(traceId, t);
    }
    return t;
  }

  private touched(traceId: string, t: TraceEntry): void {
    t.version++;
    t.changedAt = Date.now();
    t.memo.clear();
    this.memoBytes -= t.memoBytes;
    t.memoBytes = 0;
    if (t.segments.length === 0 && t.logs.length === 0) this.byTrace.delete(traceId);
  }

  /** When each service's first segment arrived (at most MAX_SERVICES_SEEN services). */
  private readonly firstSeen = new Map<string, { at: number; traceId: string; segmentId: string }>();

  /**
   * Services that have sent segments for longer than `graceMs` and never a heartbeat
   * (`keepAlive` or `reportInstanceProperties`) from any instance: the OAP lists no instance for them.
   */
  silentServices(
    now: number,
    graceMs: number,
  ): Array<{ service: string; traceId: string; segmentId: string; since: number }> {
    const heard = new Set<string>();
    for (const i of this.instances()) if (i.lastPing > 0 || Object.keys(i.properties).length > 0) heard.add(i.service);
    const out: Array<{ service: string; traceId: string; segmentId: string; since: number }> = [];
    for (const [service, f] of this.firstSeen)
      if (now - f.at > graceMs && !heard.has(service))
        out.push({ service, traceId: f.traceId, segmentId: f.segmentId, since: f.at });
    return out;
  }

  add(seg: SegmentObject): void {
    if (!this.firstSeen.has(seg.service) && this.firstSeen.size < MAX_SERVICES_SEEN) {
      this.firstSeen.set(seg.service.slice(0, 1024), {
        at: Date.now(),
        traceId: seg.traceId.slice(0, 1024),
        segmentId: seg.traceSegmentId.slice(0, 1024),
      });
    }
    const size = segmentSize(seg);
    this.segList.push({ seg, size });
    this.bytes += size;
    const t = this.entry(seg.traceId);
    t.segments.push(seg);
    this.touched(seg.traceId, t);
    while (this.segList.length > this.limits.maxSegments) this.evictSegment();
    this.enforceBytes();
    this.version++;
    this.segmentsVersion++;
  }

  /** Segments and what is worked out from them share `maxBytes`: past it, the oldest segments go. */
  private enforceBytes(): void {
    while (this.bytes + this.memoBytes > this.limits.maxBytes && this.segList.length > 1) this.evictSegment();
  }

  private evictSegment(): void {
    const { seg, size } = this.segList.shift();
    this.bytes -= size;
    this.evicted++;
    const t = this.byTrace.get(seg.traceId);
    if (t) {
      removeFirst(t.segments, seg);
      this.touched(seg.traceId, t);
    }
  }

  /** Keep a decoded `LogData`; returns the stored record, or undefined when it alone exceeds the log byte bound. */
  addLog(raw: unknown): StoredLog | undefined {
    const log = toStoredLog(raw, this.logSeq + 1);
    const size = logSize(log);
    if (size > this.limits.maxLogBytes) {
      this.logsRefused++;
      return undefined;
    }
    this.logSeq++;
    this.logList.push({ log, size });
    this.logBytes += size;
    if (log.traceContext) {
      const t = this.entry(log.traceContext.traceId);
      t.logs.push(log);
      this.touched(log.traceContext.traceId, t);
    }
    while (this.logList.length > this.limits.maxLogs || this.logBytes > this.limits.maxLogBytes) this.evictLog();
    this.version++;
    return log;
  }

  private evictLog(): void {
    const { log, size } = this.logList.shift();
    this.logBytes -= size;
    this.logsEvicted++;
    if (log.traceContext) {
      const t = this.byTrace.get(log.traceContext.traceId);
      if (t) {
        removeFirst(t.logs, log);
        this.touched(log.traceContext.traceId, t);
      }
    }
  }

  count(): number {
    return this.segList.length;
  }

  segments(): SegmentObject[] {
    return this.segList.toArray().map((e) => e.seg);
  }

  traceIds(): string[] {
    const ids: string[] = [];
    for (const [id, t] of this.byTrace) if (t.segments.length > 0) ids.push(id);
    return ids;
  }

  trace(traceId: string): SegmentObject[] {
    return [...(this.byTrace.get(traceId)?.segments ?? [])];
  }

  /** Every trace entry, in order of first arrival (do not mutate). */
  entries(): IterableIterator<[string, TraceEntry]> {
    return this.byTrace.entries();
  }

  /** The live entry of a trace (do not mutate), or undefined. */
  traceEntry(traceId: string): TraceEntry | undefined {
    return this.byTrace.get(traceId);
  }

  /**
   * Something worked out from one trace, computed once per change of that trace. Its `size` (bytes)
   * counts against `maxBytes` with the segments; a value that does not fit in what is left is
   * returned without being kept, so reading never evicts what is stored.
   */
  memo<T>(traceId: string, key: string, compute: (t: TraceEntry) => T, size: (v: T) => number): T | undefined {
    const t = this.byTrace.get(traceId);
    if (!t) return undefined;
    if (t.memo.has(key)) return t.memo.get(key) as T;
    const v = compute(t);
    const n = size(v);
    if (this.bytes + this.memoBytes + n > this.limits.maxBytes || this.byTrace.get(traceId) !== t) {
      this.memosRefused++;
      return v;
    }
    t.memo.set(key, v);
    t.memoBytes += n;
    this.memoBytes += n;
    return v;
  }

  /** Every stored log, oldest first. */
  logs(): StoredLog[] {
    return this.logList.toArray().map((e) => e.log);
  }

  /** Stored logs in arrival order, without copying. */
  *logsIterator(): IterableIterator<StoredLog> {
    for (const e of this.logList) yield e.log;
  }

  traceLogs(traceId: string): StoredLog[] {
    return [...(this.byTrace.get(traceId)?.logs ?? [])];
  }

  stats(): StoreStats {
    return {
      segments: this.segList.length,
      bytes: this.bytes,
      memoBytes: this.memoBytes,
      memosRefused: this.memosRefused,
      evicted: this.evicted,
      logs: this.logList.length,
      logBytes: this.logBytes,
      logsEvicted: this.logsEvicted,
      logsRefused: this.logsRefused,
      traces: this.byTrace.size,
    };
  }

  /** Instances are few; names are cut to 1,024 characters, and past 10,000 instances or 8 MiB the list starts over. */
  private instanceOf(service: string, instance: string): InstanceRecord {
    service = service.slice(0, 1024);
    instance = instance.slice(0, 1024);
    const key = `${service}\u0000${instance}`;
    let r = this.instanceMap.get(key);
    if (!r) {
      if (this.instanceMap.size >= 10_000 || this.instanceBytes > INSTANCE_BYTES) {
        this.instanceMap.clear();
        this.instanceBytes = 0;
      }
      r = { service, instance, properties: {}, lastPing: 0 };
      this.instanceMap.set(key, r);
      this.instanceBytes += 100 + key.length * 2;
    }
    return r;
  }

  /** Properties of an instance: at most 100, each value cut to 1,024 characters. */
  setProperties(service: string, instance: string, properties: KeyStringValuePair[]): void {
    const r = this.instanceOf(service, instance);
    r.properties = {};
    for (const p of properties.slice(0, 100)) {
      const key = p.key.slice(0, 256);
      const value = p.value.slice(0, 1024);
      (r.properties[key] ??= []).push(value);
      this.instanceBytes += 40 + key.length + value.length;
    }
    this.version++;
  }

  ping(service: string, instance: string): void {
    this.instanceOf(service, instance).lastPing = Date.now();
    this.version++;
  }

  instances(): InstanceRecord[] {
    return [...this.instanceMap.values()].map((r) => ({ ...r, properties: { ...r.properties } }));
  }
}
