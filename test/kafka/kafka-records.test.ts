/**
 * Record keys and values for the OAP's kafka-fetcher, checked with skywalking-backend-js's
 * generated classes (google-protobuf, from the official .proto files).
 */
import type { SegmentObject } from '../../src/base/model';
import { encodeSegmentObject } from '../../src/segment/encode';
import {
  encodeInstancePing,
  encodeInstanceProperties,
  logKeyOf,
  pingKeyOf,
  propertiesKeyOf,
  segmentKeyOf,
  segmentValueOf,
  stringFieldOf,
} from '../../src/reporter/kafka-records';
import { segmentObject, spanObject } from '../support/fixtures';

/* eslint-disable @typescript-eslint/no-require-imports */
const tracingPb = require('skywalking-backend-js/lib/proto/language-agent/Tracing_pb.js');
const managementPb = require('skywalking-backend-js/lib/proto/management/Management_pb.js');
const loggingPb = require('skywalking-backend-js/lib/proto/logging/Logging_pb.js');
/* eslint-enable @typescript-eslint/no-require-imports */

const segment = (spans: number): SegmentObject =>
  segmentObject({
    traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    traceSegmentId: 'seg-ü-0001',
    service: 'orders',
    serviceInstance: 'orders-1',
    spans: Array.from({ length: spans }, (_, i) =>
      spanObject({ spanId: i, parentSpanId: i - 1, operationName: `op-${i}-${'x'.repeat(200)}` }),
    ),
  });

it('a segment value is the bare SegmentObject (the collection entry prefix stripped), keyed by its segment id', () => {
  for (const spans of [1, 60]) {
    // 1 span: a one-byte entry length; 60 spans: a multi-byte varint length
    const value = segmentValueOf(encodeSegmentObject(segment(spans)));
    const decoded = tracingPb.SegmentObject.deserializeBinary(new Uint8Array(value));
    expect(decoded.getTracesegmentid()).toBe('seg-ü-0001');
    expect(decoded.getSpansList()).toHaveLength(spans);
    expect(segmentKeyOf(value).toString('utf8')).toBe('seg-ü-0001');
  }
});

it('InstanceProperties and InstancePingPkg decode with the official classes; keys as the fetcher reads them', () => {
  const props = managementPb.InstanceProperties.deserializeBinary(
    new Uint8Array(
      encodeInstanceProperties('orders', 'orders-1', [
        { key: 'language', value: 'NodeJS' },
        { key: 'ipv4', value: '10.0.0.7' },
      ]),
    ),
  ).toObject();
  expect(props).toEqual({
    service: 'orders',
    serviceinstance: 'orders-1',
    propertiesList: [
      { key: 'language', value: 'NodeJS' },
      { key: 'ipv4', value: '10.0.0.7' },
    ],
    layer: '',
  });
  expect(
    managementPb.InstancePingPkg.deserializeBinary(new Uint8Array(encodeInstancePing('orders', 'orders-1'))).toObject(),
  ).toEqual({ service: 'orders', serviceinstance: 'orders-1', layer: '' });
  expect(propertiesKeyOf('orders-1').toString()).toBe('register-orders-1');
  expect(pingKeyOf('orders-1').toString()).toBe('orders-1');
});

it('a log record is keyed by LogData.service, read after the int64 timestamp', () => {
  const ld = new loggingPb.LogData();
  ld.setTimestamp(1_700_000_000_123);
  ld.setService('billing');
  ld.setServiceinstance('billing-1');
  expect(logKeyOf(Buffer.from(ld.serializeBinary())).toString()).toBe('billing');
});

it('reading a string field never throws on bad bytes', () => {
  expect(stringFieldOf(Buffer.from([0x12, 0x05, 0x61]), 2)).toBeUndefined(); // length past the end
  expect(stringFieldOf(Buffer.from([0x0f]), 2)).toBeUndefined(); // wire type 7
  expect(stringFieldOf(Buffer.from([0x08, 0xff, 0xff]), 2)).toBeUndefined(); // unterminated varint
  expect(segmentKeyOf(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
});

it('a segment key is read in place when traceId and the segment id lead the message, field by field otherwise', () => {
  // traceId (field 1) then traceSegmentId (field 2), as our encoder writes them
  const lead = Buffer.from([0x0a, 0x02, 0x74, 0x31, 0x12, 0x03, 0x73, 0x2d, 0x31, 0x18, 0x01]);
  expect(segmentKeyOf(lead).toString()).toBe('s-1');
  // the segment id before the trace id: the general reader finds it
  const swapped = Buffer.from([0x12, 0x03, 0x73, 0x2d, 0x32, 0x0a, 0x02, 0x74, 0x31]);
  expect(segmentKeyOf(swapped).toString()).toBe('s-2');
  // a 200-byte trace id (a two-byte length) before the segment id
  const long = Buffer.concat([
    Buffer.from([0x0a, 0xc8, 0x01]),
    Buffer.alloc(200, 0x61),
    Buffer.from([0x12, 0x01, 0x73]),
  ]);
  expect(segmentKeyOf(long).toString()).toBe('s');
  // truncated: nothing read past the end
  expect(segmentKeyOf(Buffer.from([0x0a, 0x02, 0x74, 0x31, 0x12, 0x05, 0x73]))).toEqual(Buffer.alloc(0));
  expect(segmentKeyOf(Buffer.from([0x0a]))).toEqual(Buffer.alloc(0));
});
