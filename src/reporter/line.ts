import type { ResolvedConfig } from '../base/config';
import { LINE_DEFAULTS } from '../base/line-config';
import { log } from '../base/diag';
import type { LogData } from '../protocol/log-encoder';
import { JsonWriter } from '../protocol/json-writer';
import { keepAliveLine, logLine, propertiesLine, segmentObjectLine } from '../protocol/line-json';
import { contiguous } from './contiguous';
import type { Identity } from './heartbeat';
import { type LineDestination, RotatingFile, StreamDestination } from './line-file';
import { instanceProperties } from './properties';
import {
  type LogStats,
  type Reporter,
  type ReporterStats,
  type SegmentSource,
  emptyLogStats,
  emptyStats,
} from './types';

export interface LineReporterOptions {
  /** Who we are, read at every heartbeat (default: the configured service and instance). */
  identity?: () => Identity;
  /** Do not write the properties/keepAlive lines until `startHeartbeat()`. */
  lateIdentity?: boolean;
  /** Where the lines go instead of the configured stdout or file (tests). */
  destination?: LineDestination;
}

const HEARTBEAT_START_DELAY_MS = 1000;

interface Pending {
  /** The line with its newline, a view of the reporter's writer chunk. */
  bytes: Buffer;
  kind: 'segment' | 'log' | 'heartbeat';
}

/**
 * Reporter `line`: each segment, log record, the instance's properties and its keep-alive become
 * one marked line in the OAP's JSON (`protocol/line-json.ts`), written to stdout or to a rotating
 * file, for `skywalking-bridge forward` or a log shipper to carry on. The application thread only
 * writes the line's bytes (a segment's straight from its spans, into the reporter's own chunk, so
 * consecutive lines lie next to each other) and queues the view; one write at a time goes out
 * asynchronously. The queue is bounded by bytes (`lineBufferChars`; a character of ASCII is one):
 * past it the new line is dropped and counted. Never throws.
 */
export class LineReporter implements Reporter {
  private readonly counters: ReporterStats = emptyStats();
  private readonly logCounters: LogStats = emptyLogStats();
  private readonly destination: LineDestination;
  private readonly bound: number;
  private readonly writer = new JsonWriter();
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private writing: Pending[] | undefined;
  private waiters: (() => void)[] = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatDelay: NodeJS.Timeout | undefined;
  private beats = 0;
  private scheduled = false;
  private stopped = false;
  private readonly identity: () => Identity;

  constructor(
    readonly config: ResolvedConfig,
    options: LineReporterOptions = {},
  ) {
    const line = config.line ?? { file: '', ...LINE_DEFAULTS };
    this.bound = line.bufferChars;
    this.destination =
      options.destination ??
      (line.file === ''
        ? new StreamDestination(process.stdout)
        : new RotatingFile(line.file, line.fileMaxBytes, line.fileCount));
    this.identity = options.identity ?? (() => ({ service: config.serviceName, instance: config.serviceInstance }));
    if (!options.lateIdentity) {
      this.heartbeatDelay = setTimeout(() => this.startHeartbeat(), HEARTBEAT_START_DELAY_MS);
      this.heartbeatDelay.unref();
    }
  }

  /** Write the properties line now and the keep-alive every `heartbeatPeriod` seconds (idempotent). */
  startHeartbeat(): void {
    if (this.stopped || this.heartbeatTimer) return;
    if (this.heartbeatDelay) clearTimeout(this.heartbeatDelay);
    this.heartbeatDelay = undefined;
    this.beat();
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.heartbeatPeriod * 1000);
    this.heartbeatTimer.unref();
  }

  report(segment: SegmentSource): void {
    let bytes: Buffer;
    try {
      bytes = segment.line ? segment.line(this.writer) : segmentObjectLine(segment.toSegmentObject(), this.writer);
    } catch (e) {
      this.counters.lost++;
      log('error', 'line.encode', `a segment could not be written as a line (${(e as Error).message}); dropped`);
      return;
    }
    if (!this.push(bytes, 'segment')) this.counters.dropped++;
  }

  reportLog(record: LogData): void {
    let bytes: Buffer;
    try {
      bytes = this.textLine(logLine(record));
    } catch {
      this.logCounters.lost++;
      return;
    }
    if (!this.push(bytes, 'log')) this.logCounters.dropped++;
  }

  flush(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    if (this.pending.length === 0 && !this.writing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async shutdown(timeoutMs = this.config.reportTimeoutMs): Promise<void> {
    if (this.stopped) return;
    if (this.heartbeatDelay) {
      // the properties go out once at least
      clearTimeout(this.heartbeatDelay);
      this.heartbeatDelay = undefined;
      this.writeProperties();
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.flush(timeoutMs);
    this.stopped = true;
    for (const p of this.pending) this.count(p, 'dropped');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.writing) this.destination.close();
  }

  stats(): ReporterStats {
    let queued = 0;
    let logsQueued = 0;
    for (const list of [this.pending, this.writing ?? []])
      for (const p of list) {
        if (p.kind === 'segment') queued++;
        else if (p.kind === 'log') logsQueued++;
      }
    return {
      ...this.counters,
      queued,
      queuedBytes: this.pendingBytes,
      logs: { ...this.logCounters, queued: logsQueued },
    };
  }

  private beat(): void {
    if (this.beats % this.config.propertiesReportPeriodFactor === 0) this.writeProperties();
    const { service, instance } = this.identity();
    this.push(this.textLine(keepAliveLine({ service, serviceInstance: instance, layer: '' })), 'heartbeat');
    this.beats++;
  }

  private writeProperties(): void {
    const { service, instance } = this.identity();
    const properties = instanceProperties(this.config.instanceProperties);
    this.push(
      this.textLine(propertiesLine({ service, serviceInstance: instance, properties, layer: '' })),
      'heartbeat',
    );
  }

  /** A line made as text, with its newline, in the writer's chunk. */
  private textLine(text: string): Buffer {
    const w = this.writer;
    w.reset();
    w.text(text);
    w.newline();
    return w.finish();
  }

  /** Queue one line; false when the queue is full or the reporter stopped. */
  private push(bytes: Buffer, kind: Pending['kind']): boolean {
    if (this.stopped) return false;
    const size = bytes.length;
    if (this.pendingBytes + size > this.bound) {
      log(
        'warn',
        'line.full',
        `line reporter: ${this.bound} bytes wait for the destination (option lineBufferChars); dropping new lines`,
      );
      return false;
    }
    this.pending.push({ bytes, kind });
    this.pendingBytes += size;
    if (!this.writing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.writeNext();
      });
    }
    return true;
  }

  /** Write everything queued at once (lines next to each other in memory are one view already); the next batch after it is done. */
  private writeNext(): void {
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = batch;
    const views: Buffer[] = [];
    for (const p of batch) views.push(p.bytes);
    const parts = contiguous(views);
    let size = 0;
    for (const part of parts) size += part.length;
    this.pendingBytes -= size;
    const done = (error: Error | null): void => {
      for (const p of batch) this.count(p, error ? 'lost' : 'sent');
      if (error) log('warn', 'line.write', `line reporter: a write failed (${error.message}); its lines are lost`);
      this.writing = undefined;
      if (this.pending.length > 0 && !this.stopped) this.writeNext();
      else this.settle();
    };
    // the parts as they lie (a file takes them in one writev); a destination without writev gets one chunk
    if (this.destination.writev) this.destination.writev(parts, done);
    else this.destination.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), done);
  }

  private count(p: Pending, outcome: 'sent' | 'lost' | 'dropped'): void {
    if (p.kind === 'segment') this.counters[outcome]++;
    else if (p.kind === 'log') this.logCounters[outcome]++;
    else if (outcome !== 'sent') this.counters.failedHeartbeats++;
  }

  private settle(): void {
    if (this.stopped) this.destination.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
