import type { KeyStringValuePair } from '../base/model';
import { segmentOfEntry } from '../segment/encode';
import { ProtoWriter } from '../protocol/proto-writer';

/**
 * The bytes of the Kafka records the OAP's `kafka-fetcher` consumes: values are bare protobuf
 * messages (`SegmentObject`, `InstanceProperties`, `InstancePingPkg`, `LogData`), keys are read
 * from those bytes without decoding them. Pure functions, no I/O.
 */

/** A record value with its key (both may be views into a larger buffer) and, once a request is built, its partition. */
export interface KafkaRecord {
  topic: string;
  key: Buffer;
  value: Buffer;
  partition?: number;
}

/** A queued `SegmentCollection` entry (what our encoder writes) as the bare `SegmentObject` (a view, no copy). */
export const segmentValueOf = segmentOfEntry;

/**
 * The bytes of string field `field` (length-delimited, wire type 2) of a top-level protobuf
 * message, as a view; `undefined` when absent or the message is malformed. Skips other fields.
 */
export function stringFieldOf(message: Buffer, field: number): Buffer | undefined {
  let i = 0;
  const n = message.length;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= n || shift > 49) return -1;
      const b = message[i++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  while (i < n) {
    const tag = varint();
    if (tag < 0) return undefined;
    const wire = tag % 8;
    const number = Math.floor(tag / 8);
    if (wire === 2) {
      const length = varint();
      if (length < 0 || i + length > n) return undefined;
      if (number === field) return message.subarray(i, i + length);
      i += length;
    } else if (wire === 0) {
      if (varint() < 0) return undefined;
    } else if (wire === 1) {
      i += 8;
    } else if (wire === 5) {
      i += 4;
    } else {
      return undefined;
    }
  }
  return undefined;
}

const EMPTY = Buffer.alloc(0);

/**
 * Segment records are keyed by the segment id (`SegmentObject.traceSegmentId`, field 2), as the agents do.
 * Our encoder writes `traceId` (field 1) and then `traceSegmentId`, each shorter than 128 bytes: those
 * two tags and lengths are read in place; any other layout is parsed field by field.
 */
export function segmentKeyOf(segmentObject: Buffer): Buffer {
  const m = segmentObject;
  if (m[0] === 0x0a && m[1]! < 0x80) {
    const at = 2 + m[1]!;
    if (m[at] === 0x12 && m[at + 1]! < 0x80) {
      const end = at + 2 + m[at + 1]!;
      if (end <= m.length) return m.subarray(at + 2, end);
    }
  }
  return stringFieldOf(m, 2) ?? EMPTY;
}

/** Log records are keyed by the service (`LogData.service`, field 2), as the Java agent does. */
export function logKeyOf(logData: Buffer): Buffer {
  return stringFieldOf(logData, 2) ?? EMPTY;
}

/** Management record keys: the fetcher reads `InstanceProperties` from keys starting `register-`, pings from any other. */
export function propertiesKeyOf(instance: string): Buffer {
  return Buffer.from(`register-${instance}`, 'utf8');
}
export function pingKeyOf(instance: string): Buffer {
  return Buffer.from(instance, 'utf8');
}

const writer = new ProtoWriter(16 * 1024);

/** `InstanceProperties` { service = 1, serviceInstance = 2, properties = 3 (KeyStringValuePair), layer = 4 }. */
export function encodeInstanceProperties(
  service: string,
  instance: string,
  properties: readonly KeyStringValuePair[],
  layer = '',
): Buffer {
  const w = writer;
  w.reset();
  w.stringField(1, service);
  w.stringField(2, instance);
  for (const p of properties) {
    const m = w.open(3);
    w.stringField(1, p.key);
    w.stringField(2, p.value);
    w.close(m);
  }
  w.stringField(4, layer);
  return Buffer.from(w.finish());
}

/** `InstancePingPkg` { service = 1, serviceInstance = 2, layer = 3 }. */
export function encodeInstancePing(service: string, instance: string, layer = ''): Buffer {
  const w = writer;
  w.reset();
  w.stringField(1, service);
  w.stringField(2, instance);
  w.stringField(3, layer);
  return Buffer.from(w.finish());
}
