import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { newId } from '../base/ids';
import { RefType, SpanType } from '../base/model';
import type { Sw8Context } from '../propagation/sw8';
import { AgentControl } from './agent-control';
import { OpenSegments } from './open-segments';
import { type RecorderCounters, Segment, type SegmentLimits, crossThreadRef } from './segment';
import type { RecordedSpan } from './span';
import { checkedEpochMs } from './time';

/** Where closed segments go: a reporter. */
export interface SegmentSink {
  report(segment: Segment): void;
}

export interface StartSpanOptions {
  /** A local parent span. Its segment gets the span, or, if closed, a new segment with a CrossThread ref. */
  parent?: RecordedSpan;
  /** A parent extracted from an sw8 header: a new segment with a CrossProcess ref; the trace id is kept byte for byte. */
  remote?: Sw8Context;
  /** Open a new segment with a CrossThread ref to `parent` even while its segment is open (follows-from). */
  crossThread?: boolean;
  /** Trace id for a new trace (e.g. the OTel trace id); a fresh one if absent. */
  traceId?: string;
  /** Epoch ms; now if absent. */
  startTime?: number;
  type?: SpanType;
  /** sw8-x tracing mode 1: the new segment's spans skip analysis. */
  skipAnalysis?: boolean;
  /** A new segment's sampling decision made by the caller (e.g. an OTel sampler); undefined: `Recorder.control` decides. */
  admitted?: boolean;
}

/**
 * The segment recorder: both front-ends start spans here; it places them in segments, assigns
 * int ids, builds refs, enforces the bounds and hands closed segments to the sink.
 */
export class Recorder {
  service: string;
  instance: string;
  readonly counters: RecorderCounters = {
    segmentsStarted: 0,
    segmentsClosed: 0,
    segmentsForced: 0,
    segmentsNotRecorded: 0,
    spansDropped: 0,
    tagsDropped: 0,
    logsDropped: 0,
    crossThreadSegments: 0,
    finalizeErrors: 0,
    timesReplaced: 0,
    endsBeforeStart: 0,
  };
  readonly limits: SegmentLimits;
  /** Sampling and ignore rules (one decision per new segment); live settings from the OAP go here. */
  readonly control: AgentControl;
  /** Segments not recorded by `control` (not sampled, ignored): they propagate sw8 with sample flag 0. */
  private readonly unsampled = new WeakSet<Segment>();
  private readonly openSegments = new OpenSegments<Segment>();
  private readonly maxOpenSegments: number;
  private readonly segmentTimeoutMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly closeHandler = (segment: Segment): void => {
    this.openSegments.delete(segment);
    try {
      this.sink.report(segment);
    } catch (err) {
      log('warn', 'recorder.sink', `reporter failed to accept a segment: ${String(err)}`, undefined, String(err));
    }
  };
  private readonly discardHandler = (): void => {};

  constructor(
    readonly config: ResolvedConfig,
    private readonly sink: SegmentSink,
  ) {
    this.service = config.serviceName;
    this.instance = config.serviceInstance;
    this.limits = {
      spanLimit: config.spanLimit,
      tagKeyMaxLength: config.tagKeyMaxLength,
      tagValueMaxLength: config.tagValueMaxLength,
      tagsPerSpan: config.tagsPerSpan,
      logsPerSpan: config.logsPerSpan,
    };
    this.control = new AgentControl(config, this.limits);
    this.maxOpenSegments = config.maxOpenSegments;
    this.segmentTimeoutMs = config.segmentTimeoutMs;
  }

  /** A start time as whole epoch ms: now when absent, and now (counted) when not a plausible epoch time. */
  private startMs(time: number | undefined): number {
    const now = Date.now();
    if (time === undefined) return now;
    const t = checkedEpochMs(time, now);
    if (!Number.isNaN(t)) return t;
    this.counters.timesReplaced++;
    return now;
  }

  /** Segments currently open (their spans not all finished). */
  get openSegmentCount(): number {
    return this.openSegments.size;
  }

  /** Start a span. Never throws; past the open-segment bound the span is real but not reported. */
  startSpan(operationName: string, options: StartSpanOptions = {}): RecordedSpan {
    const parent = options.parent;
    if (parent && !options.crossThread && !parent.segment.closed)
      return this.startChild(parent, operationName, options.startTime, options.type);
    const startTime = this.startMs(options.startTime);
    const name = nameOf(operationName);
    let span: RecordedSpan;
    if (parent) {
      const seg = this.newSegment(
        parent.segment.traceId,
        parent.segment.skipAnalysis || !!options.skipAnalysis,
        !this.unsampled.has(parent.segment),
      );
      span = seg.newSpan(undefined, name, startTime);
      if (!span.dropped) span.refs = [crossThreadRef(parent)];
      this.counters.crossThreadSegments++;
    } else if (options.remote) {
      const r = options.remote;
      const seg = this.newSegment(
        r.traceId,
        !!options.skipAnalysis,
        options.admitted ?? this.control.admitContinued(name, r.sample === 1),
      );
      span = seg.newSpan(undefined, name, startTime);
      if (!span.dropped) {
        span.refs = [
          {
            refType: RefType.CrossProcess,
            traceId: r.traceId,
            parentTraceSegmentId: r.segmentId,
            parentSpanId: r.spanId,
            parentService: r.service,
            parentServiceInstance: r.instance,
            parentEndpoint: r.endpoint,
            networkAddressUsedAtPeer: r.address,
          },
        ];
      }
    } else {
      return this.startTrace(
        operationName,
        options.traceId,
        startTime,
        options.type,
        !!options.skipAnalysis,
        options.admitted,
      );
    }
    if (options.type !== undefined) span.type = options.type;
    return span;
  }

  /**
   * `startSpan({ parent, startTime, type })` without the options object (the front-ends' hot path:
   * most spans have a local parent). In the parent's segment while it is open, else in a new
   * segment with a CrossThread ref.
   */
  startChild(
    parent: RecordedSpan,
    operationName: string,
    startTime: number | undefined,
    type: SpanType | undefined,
  ): RecordedSpan {
    if (parent.segment.closed) return this.startSpan(operationName, { parent, crossThread: true, startTime, type });
    const span = parent.segment.newSpan(parent, nameOf(operationName), this.startMs(startTime));
    if (type !== undefined) span.type = type;
    return span;
  }

  /** `startSpan({ traceId, startTime, type, skipAnalysis, admitted })` without the options object: the first span of a new segment with no ref. */
  startTrace(
    operationName: string,
    traceId: string | undefined,
    startTime: number | undefined,
    type: SpanType | undefined,
    skipAnalysis = false,
    admitted?: boolean,
  ): RecordedSpan {
    const name = nameOf(operationName);
    const now = Date.now();
    const start = startTime === undefined ? now : this.startMs(startTime);
    const span = this.newSegment(
      traceId || newId(),
      skipAnalysis,
      admitted ?? this.control.admitNew(name, undefined, now),
      now,
    ).newSpan(undefined, name, start);
    if (type !== undefined) span.type = type;
    return span;
  }

  /**
   * The sw8 fields for an outgoing call made from `span`. The span becomes an Exit span if it was
   * Local. Its peer is the sw8 address; when no peer is set, `fallbackPeer` (from URL or
   * peer.service) or else the operation name is used and set as the peer, with a warning (one
   * line per hour for all operations, naming a few), so the header is always one the Java agent
   * accepts and the OAP can still link.
   */
  carrierFor(span: RecordedSpan, fallbackPeer?: string): Sw8Context {
    let s: RecordedSpan | undefined = span;
    while (s && s.dropped) s = s.anchor;
    const target = s ?? span;
    if (target.type === SpanType.Local && !target.finished) target.type = SpanType.Exit;
    let peer = target.peer;
    if (peer === '') {
      peer = fallbackPeer || target.operationName || 'unknown';
      if (!target.finished) target.peer = peer;
      // one key for the condition, whatever the operation (names can be URL paths): the
      // operation goes into the line and the examples, never into the key
      log(
        'warn',
        'recorder.nopeer',
        `span "${target.operationName}" injected sw8 without a peer; using "${peer}". Set the peer (OpenTracing: peer.hostname + peer.port; OpenTelemetry: server.address + server.port) so topology shows the real address.`,
        3_600_000,
        target.operationName,
      );
    }
    const seg = target.segment;
    return {
      sample: this.unsampled.has(seg) ? 0 : 1,
      traceId: seg.traceId,
      segmentId: seg.segmentId,
      spanId: Math.max(0, target.id),
      service: seg.service,
      instance: seg.instance,
      endpoint: seg.primaryEndpoint() || target.operationName || '/',
      address: peer,
    };
  }

  /** Close every open segment now, spans still open marked forced (shutdown). */
  closeAll(): void {
    for (const seg of this.openSegments.list()) seg.forceClose();
  }

  /** Stop the timeout sweep. */
  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Close segments open longer than the timeout (their open spans are marked forced). */
  sweep(now: number = Date.now()): number {
    let n = 0;
    // oldest first: stop at the first segment young enough
    for (let seg = this.openSegments.oldest; seg && now - seg.createdAt >= this.segmentTimeoutMs;) {
      const next = seg.nextOpen;
      seg.forceClose(now);
      n++;
      seg = next;
    }
    if (n > 0)
      log(
        'warn',
        'recorder.timeout',
        `${n} segment(s) had spans open longer than ${this.segmentTimeoutMs} ms; reported with those spans marked forced.finish`,
      );
    return n;
  }

  /** Whether `segment` was left out by sampling or an ignore rule (its spans are not reported). */
  isUnsampled(segment: Segment): boolean {
    return this.unsampled.has(segment);
  }

  private newSegment(traceId: string, skipAnalysis: boolean, admitted = true, now: number = Date.now()): Segment {
    if (!admitted) {
      // counted by `control`; spans work as usual and propagate sw8 with sample flag 0
      const seg = new Segment(this, traceId, this.discardHandler, now);
      seg.skipAnalysis = skipAnalysis;
      this.unsampled.add(seg);
      return seg;
    }
    this.counters.segmentsStarted++;
    if (this.openSegments.size >= this.maxOpenSegments) {
      this.counters.segmentsNotRecorded++;
      log(
        'warn',
        'recorder.maxopen',
        `more than ${this.maxOpenSegments} segments open at once; new ones are not recorded (raise maxOpenSegments / SW_BRIDGE_MAX_OPEN_SEGMENTS, or check for spans that never finish)`,
      );
      const seg = new Segment(this, traceId, this.discardHandler, now);
      seg.skipAnalysis = skipAnalysis;
      return seg;
    }
    const seg = new Segment(this, traceId, this.closeHandler, now);
    seg.skipAnalysis = skipAnalysis;
    this.openSegments.add(seg);
    if (!this.sweepTimer) {
      const every = Math.min(Math.max(Math.floor(this.segmentTimeoutMs / 2), 50), 10_000);
      this.sweepTimer = setInterval(() => this.sweep(), every);
      this.sweepTimer.unref();
    }
    return seg;
  }
}

/** SkyWalking needs a non-empty operation name. */
function nameOf(operationName: string): string {
  return operationName === '' ? '/' : operationName;
}
