/**
 * What the official agents report besides segments, logs and heartbeats — JVM and CLR metrics,
 * meters, events, profiling snapshots, browser performance and errors — kept as the OAP's receivers
 * would take it, but only what is cheap to show: counts per instance and kind, the latest JVM/CLR
 * values, the latest value of each meter, the latest events. Every table is bounded.
 */

export type TelemetryKind =
  | 'jvm'
  | 'clr'
  | 'meter'
  | 'event'
  | 'profileQuery'
  | 'profileSnapshot'
  | 'profileFinish'
  | 'browserPerf'
  | 'browserError';

export interface RuntimeSnapshot {
  /** Epoch ms the agent sampled it. */
  time: number;
  cpuPercent: number;
  heapUsed?: number;
  heapMax?: number;
  threads?: number;
  gcCount?: number;
}

export interface MeterValue {
  name: string;
  labels: Record<string, string>;
  /** A single value, or the total count of a histogram. */
  value: number;
  histogram: boolean;
  time: number;
}

export interface InstanceTelemetry {
  service: string;
  instance: string;
  counts: Partial<Record<TelemetryKind, number>>;
  runtime?: RuntimeSnapshot;
  meters: MeterValue[];
}

export interface AgentEvent {
  service: string;
  instance: string;
  endpoint: string;
  name: string;
  type: 'Normal' | 'Error';
  message: string;
  startTime: number;
  endTime: number;
}

export const MAX_INSTANCES = 1000;
export const MAX_METERS_PER_INSTANCE = 200;
export const MAX_EVENTS = 200;
const MAX_TEXT = 1024;

const text = (v: unknown): string => (typeof v === 'string' ? (v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v) : '');
const num = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : 0;

interface Entry {
  service: string;
  instance: string;
  counts: Partial<Record<TelemetryKind, number>>;
  runtime?: RuntimeSnapshot;
  meters: Map<string, MeterValue>;
}

export class AgentTelemetry {
  /** Insertion-ordered: the least recently reporting instance is forgotten first. */
  private readonly instances = new Map<string, Entry>();
  private readonly events: AgentEvent[] = [];

  private entry(service: unknown, instance: unknown): Entry {
    const s = text(service);
    const i = text(instance);
    const key = `${s}\u0000${i}`;
    let e = this.instances.get(key);
    if (e) {
      this.instances.delete(key);
    } else {
      e = { service: s, instance: i, counts: {}, meters: new Map() };
      if (this.instances.size >= MAX_INSTANCES) this.instances.delete(this.instances.keys().next().value!);
    }
    this.instances.set(key, e);
    return e;
  }

  count(kind: TelemetryKind, service: unknown, instance: unknown, n = 1): void {
    const e = this.entry(service, instance);
    e.counts[kind] = (e.counts[kind] ?? 0) + n;
  }

  /** A JVMMetricCollection (the latest metric of it is kept). */
  jvm(collection: { service?: unknown; serviceInstance?: unknown; metrics?: unknown }): void {
    const metrics = Array.isArray(collection.metrics) ? (collection.metrics as Array<Record<string, unknown>>) : [];
    const e = this.entry(collection.service, collection.serviceInstance);
    e.counts.jvm = (e.counts.jvm ?? 0) + metrics.length;
    const m = metrics[metrics.length - 1];
    if (!m) return;
    const heap = (Array.isArray(m.memory) ? (m.memory as Array<Record<string, unknown>>) : []).find(
      (x) => x.isHeap === true,
    );
    const gc = Array.isArray(m.gc) ? (m.gc as Array<Record<string, unknown>>) : [];
    e.runtime = {
      time: num(m.time),
      cpuPercent: num((m.cpu as Record<string, unknown> | undefined)?.usagePercent),
      heapUsed: heap ? num(heap.used) : undefined,
      heapMax: heap ? num(heap.max) : undefined,
      threads: num((m.thread as Record<string, unknown> | undefined)?.liveCount),
      gcCount: gc.reduce((sum, g) => sum + num(g.count), 0),
    };
  }

  /** A CLRMetricCollection (the latest metric of it is kept). */
  clr(collection: { service?: unknown; serviceInstance?: unknown; metrics?: unknown }): void {
    const metrics = Array.isArray(collection.metrics) ? (collection.metrics as Array<Record<string, unknown>>) : [];
    const e = this.entry(collection.service, collection.serviceInstance);
    e.counts.clr = (e.counts.clr ?? 0) + metrics.length;
    const m = metrics[metrics.length - 1];
    if (!m) return;
    const gc = (m.gc ?? {}) as Record<string, unknown>;
    e.runtime = {
      time: num(m.time),
      cpuPercent: num((m.cpu as Record<string, unknown> | undefined)?.usagePercent),
      heapUsed: num(gc.HeapMemory),
      gcCount: num(gc.Gen0CollectCount) + num(gc.Gen1CollectCount) + num(gc.Gen2CollectCount),
    };
  }

  /**
   * One MeterData. In a `collect` stream only the first message names the service and instance;
   * `last` is the identity seen earlier in the same stream.
   */
  meter(data: Record<string, unknown>, last: { service: string; instance: string }): void {
    const service = text(data.service) || last.service;
    const instance = text(data.serviceInstance) || last.instance;
    last.service = service;
    last.instance = instance;
    const e = this.entry(service, instance);
    e.counts.meter = (e.counts.meter ?? 0) + 1;
    const single = data.singleValue as Record<string, unknown> | undefined;
    const histogram = data.histogram as Record<string, unknown> | undefined;
    const source = single ?? histogram;
    if (!source) return;
    const labels: Record<string, string> = {};
    for (const l of Array.isArray(source.labels) ? (source.labels as Array<Record<string, unknown>>) : [])
      labels[text(l.name)] = text(l.value);
    const name = text(source.name);
    const value = single
      ? num(single.value)
      : (Array.isArray(histogram!.values) ? (histogram!.values as Array<Record<string, unknown>>) : []).reduce(
          (s, b) => s + num(b.count),
          0,
        );
    const key = `${name}${JSON.stringify(labels)}`;
    if (!e.meters.has(key) && e.meters.size >= MAX_METERS_PER_INSTANCE) e.meters.delete(e.meters.keys().next().value!);
    e.meters.set(key, { name, labels, value, histogram: !single, time: num(data.timestamp) });
  }

  event(ev: Record<string, unknown>): void {
    const source = (ev.source ?? {}) as Record<string, unknown>;
    this.count('event', source.service, source.serviceInstance);
    this.events.push({
      service: text(source.service),
      instance: text(source.serviceInstance),
      endpoint: text(source.endpoint),
      name: text(ev.name),
      type: num(ev.type) === 1 ? 'Error' : 'Normal',
      message: text(ev.message),
      startTime: num(ev.startTime),
      endTime: num(ev.endTime),
    });
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }

  /** Every instance that reported telemetry, oldest report first. */
  list(): InstanceTelemetry[] {
    return [...this.instances.values()].map((e) => ({
      service: e.service,
      instance: e.instance,
      counts: { ...e.counts },
      runtime: e.runtime,
      meters: [...e.meters.values()],
    }));
  }

  latestEvents(): AgentEvent[] {
    return [...this.events];
  }
}
