import type { KeyStringValuePair } from '../model';
import { ProtoWriter } from './proto-writer';

/** `LogData` (logging/Logging.proto) as plain objects, field names as in the proto. */
export interface LogData {
  /** Epoch ms. */
  timestamp: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  /** Exactly one of `text` and `json`. */
  body: LogBody;
  /** The span the record was written in; absent outside a trace. */
  traceContext?: LogTraceContext;
  tags: KeyStringValuePair[];
  layer: string;
}

export interface LogBody {
  text?: { text: string };
  json?: { json: string };
}

export interface LogTraceContext {
  traceId: string;
  traceSegmentId: string;
  spanId: number;
}

/**
 * Field numbers: LogData timestamp 1, service 2, serviceInstance 3, endpoint 4, body 5,
 * traceContext 6, tags 7, layer 8. LogDataBody type 1, text 2 (TextLog text 1), json 3 (JSONLog
 * json 1). TraceContext traceId 1, traceSegmentId 2, spanId 3. LogTags data 1 (KeyStringValuePair
 * key 1, value 2). Defaults are left out (proto3 canonical form); the body's oneof case is always
 * written, also for an empty text.
 */
const writer = new ProtoWriter(64 * 1024);

/**
 * The records of one request repeat their service, instance, endpoint and trace context: their
 * fields' bytes are kept for the last values seen and copied, not encoded again (a string costs
 * ~3 ns a character here, these ~100 characters a record). Compared by value, so any LogData is
 * encoded exactly as without the memo (test/protocol/log-encoder.test.ts).
 */
class RepeatedFields {
  private readonly scratch = new ProtoWriter(4096);
  private service = '';
  private instance = '';
  private endpoint = '';
  private head: Uint8Array | undefined;
  private traceId = '';
  private segmentId = '';
  private spanId = 0;
  private context: Uint8Array | undefined;

  /** Fields 2, 3, 4. */
  headOf(service: string, instance: string, endpoint: string): Uint8Array {
    if (this.head && service === this.service && instance === this.instance && endpoint === this.endpoint)
      return this.head;
    const w = this.scratch;
    w.reset();
    w.stringField(2, service);
    w.stringField(3, instance);
    w.stringField(4, endpoint);
    this.head = Uint8Array.prototype.slice.call(w.finish());
    this.service = service;
    this.instance = instance;
    this.endpoint = endpoint;
    return this.head;
  }

  /** Field 6. */
  contextOf(tc: LogTraceContext): Uint8Array {
    if (
      this.context &&
      tc.traceId === this.traceId &&
      tc.traceSegmentId === this.segmentId &&
      tc.spanId === this.spanId
    )
      return this.context;
    const w = this.scratch;
    w.reset();
    const mark = w.open(6);
    w.stringField(1, tc.traceId);
    w.stringField(2, tc.traceSegmentId);
    w.int32Field(3, tc.spanId);
    w.close(mark);
    this.context = Uint8Array.prototype.slice.call(w.finish());
    this.traceId = tc.traceId;
    this.segmentId = tc.traceSegmentId;
    this.spanId = tc.spanId;
    return this.context;
  }
}

const repeated = new RepeatedFields();

/**
 * One `LogData` message's bytes: a view into a chunk of `w` (by default one shared by everyone),
 * valid for good. A queue that holds records for long passes its own writer, so its views pin only
 * its own chunks, never another reporter's. `framed`: with the 5 bytes that make it a gRPC message
 * of a request body (records encoded one after another are then sent as they lie, uncopied).
 */
export function encodeLogData(log: LogData, w: ProtoWriter = writer, framed = false): Buffer {
  w.reset();
  const frame = framed ? w.beginFrame() : -1;
  w.int64Field(1, log.timestamp);
  w.raw(repeated.headOf(log.service, log.serviceInstance, log.endpoint));
  const body = w.open(5);
  if (log.body.json) {
    const json = w.open(3);
    w.stringField(1, log.body.json.json);
    w.close(json);
  } else {
    const text = w.open(2);
    w.stringField(1, log.body.text?.text ?? '');
    w.close(text);
  }
  w.close(body);
  const tc = log.traceContext;
  if (tc) w.raw(repeated.contextOf(tc));
  if (log.tags.length > 0) {
    const tags = w.open(7);
    for (let i = 0; i < log.tags.length; i++) {
      const pair = log.tags[i]!;
      const mark = w.open(1);
      w.stringField(1, pair.key);
      w.stringField(2, pair.value);
      w.close(mark);
    }
    w.close(tags);
  }
  w.stringField(8, log.layer);
  if (framed) w.endFrame(frame);
  return w.finish();
}
