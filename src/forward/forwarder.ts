import { log } from '../base/diag';
import type { InstancePingPkg, InstanceProperties, SegmentObject } from '../base/model';
import type { LogData } from '../protocol/log-encoder';
import { LINE_MARKER } from '../protocol/line-json';
import { parseLine } from '../protocol/line-parse';
import { transcodeSegmentLine } from '../protocol/line-transcode';
import { ProtoWriter } from '../protocol/proto-writer';
import type { SegmentSource } from '../reporter/types';
import type { Sink } from './oap-sink';
import type { LineSource } from './source';
import { type TextMatcher, textLogData } from './text-pattern';

export interface ForwarderOptions {
  /** Turn foreign lines with a trace id into log records (`--text-pattern`). */
  text?: { matcher: TextMatcher; service: string; instance: string };
}

/** What `forward` has done, as its `--stats` line prints it. */
export interface ForwardCounts {
  lines: number;
  segments: number;
  logs: number;
  textLogs: number;
  properties: number;
  keepAlive: number;
  /** Lines without the marker (and, with `--text-pattern`, without a trace id). */
  foreign: number;
  /** Marked lines that are not a valid message (truncated, broken JSON, wrong field types). */
  invalid: number;
}

const FOREIGN = { kind: 'foreign' } as const;

/** A segment line read straight to protobuf: its bytes, and its objects only if a reporter asks. */
function transcoded(bytes: Buffer, line: string): SegmentSource {
  return {
    encode: () => bytes,
    toSegmentObject: () => {
      const parsed = parseLine(line);
      if (parsed.kind !== 'segment') throw new Error('a transcoded segment line reads back as no segment');
      return parsed.segment;
    },
  };
}

const objectSource = (segment: SegmentObject): SegmentSource => ({ toSegmentObject: () => segment });

/**
 * Reads batches from its sources, one batch at a time across all of them: each line is parsed
 * (`parseLine`, or the text pattern for a foreign line), the batch's segments and records go to
 * the sink, and only once the sink took them all is the batch committed and the next one read.
 */
export class Forwarder {
  private readonly counts: ForwardCounts = {
    lines: 0,
    segments: 0,
    logs: 0,
    textLogs: 0,
    properties: 0,
    keepAlive: 0,
    foreign: 0,
    invalid: 0,
  };
  private chain: Promise<unknown> = Promise.resolve();
  private readonly sources: LineSource[] = [];
  /** The protobuf of segment lines read straight (`transcodeSegmentLine`); the reporter queues views of it. */
  private readonly writer = new ProtoWriter();

  constructor(
    private readonly sink: Sink,
    private readonly options: ForwarderOptions = {},
  ) {}

  /**
   * Read `source` to its end (or until stopped); batches of all sources are handled one at a time.
   * False when the source failed (said on stderr). Never rejects.
   */
  async run(source: LineSource): Promise<boolean> {
    this.sources.push(source);
    try {
      for await (const batch of source.batches()) {
        const delivered = await this.serial(() => this.handle(batch.lines));
        if (!delivered) return true;
        await batch.commit();
      }
      return true;
    } catch (e) {
      log('error', 'forward.source', `forward: reading ${source.name} failed: ${(e as Error)?.message ?? e}`);
      return false;
    }
  }

  stop(): void {
    for (const s of this.sources) s.stop();
  }

  stats(): Record<string, unknown> {
    return {
      ...this.counts,
      sources: Object.fromEntries(this.sources.map((s) => [s.name, s.stats()])),
      sink: this.sink.stats(),
    };
  }

  /** One batch: parsed, delivered; false when the sink closed before taking it. */
  async handle(lines: string[]): Promise<boolean> {
    const segments: SegmentSource[] = [];
    const logs: LogData[] = [];
    const now = Date.now();
    for (const line of lines) {
      this.counts.lines++;
      const at = line.indexOf(LINE_MARKER);
      const bytes = at < 0 ? undefined : transcodeSegmentLine(line, at, this.writer);
      if (bytes) {
        segments.push(transcoded(bytes, line));
        continue;
      }
      const parsed = at < 0 ? FOREIGN : parseLine(line);
      switch (parsed.kind) {
        case 'segment':
          segments.push(objectSource(parsed.segment));
          break;
        case 'log':
          logs.push(parsed.log);
          break;
        case 'properties':
          this.management('properties', parsed.properties);
          break;
        case 'keepAlive':
          this.management('keepAlive', parsed.ping);
          break;
        case 'invalid':
          this.counts.invalid++;
          log('warn', 'forward.invalid', `forward: a marked line is not a valid message (${parsed.reason}); skipped`);
          break;
        default:
          this.foreign(line, logs, now);
      }
    }
    if (segments.length === 0 && logs.length === 0) return true;
    const ok = await this.sink.deliver(segments, logs);
    if (ok) {
      this.counts.segments += segments.length;
      this.counts.logs += logs.length;
    }
    return ok;
  }

  private foreign(line: string, logs: LogData[], now: number): void {
    const text = this.options.text;
    const fields = text?.matcher(line);
    if (!text || !fields) {
      this.counts.foreign++;
      return;
    }
    this.counts.textLogs++;
    logs.push(textLogData(line, fields, text, now));
  }

  private management(kind: 'properties', message: InstanceProperties): void;
  private management(kind: 'keepAlive', message: InstancePingPkg): void;
  private management(kind: 'properties' | 'keepAlive', message: InstanceProperties | InstancePingPkg): void {
    if (kind === 'properties') {
      this.counts.properties++;
      this.sink.management('properties', message as InstanceProperties);
    } else {
      this.counts.keepAlive++;
      this.sink.management('keepAlive', message as InstancePingPkg);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
