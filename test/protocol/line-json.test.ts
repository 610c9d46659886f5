/**
 * The line format's rarer fields, written and read back exactly: an Exit span with every optional
 * field set (error, peer, refs, tags, logs, skipAnalysis) in a size-limited segment, a JSON-bodied
 * log outside a trace with a layer, and the management messages with a layer. The common case is in
 * test/forward/line-format.test.ts.
 */
import { RefType, SpanLayer, SpanType } from '../../src/base/model';
import { keepAliveLine, logLine, propertiesLine, segmentLine } from '../../src/protocol/line-json';
import { parseLine } from '../../src/protocol/line-parse';
import type { LogData } from '../../src/protocol/log-encoder';
import { T0, refTo, segmentObject, spanObject } from '../support/fixtures';

it('an Exit span with every optional field, in a size-limited segment: the OAP JSON, and read back as it was', () => {
  const parent = segmentObject({ traceSegmentId: 'parent-1' });
  const segment = segmentObject({
    traceSegmentId: 'child-1',
    isSizeLimited: true,
    spans: [
      spanObject({
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.Http,
        componentId: 2,
        peer: 'backend:8080',
        isError: true,
        skipAnalysis: true,
        refs: [refTo(parent, 0, 'child:80')],
        tags: [{ key: 'http.method', value: 'GET' }],
        logs: [{ time: T0 + 3, data: [{ key: 'event', value: 'error' }] }],
      }),
    ],
  });
  const line = segmentLine(segment);
  const o = JSON.parse(line) as { skywalking: string; isSizeLimited: boolean; spans: Record<string, unknown>[] };
  expect(o.skywalking).toBe('segment');
  expect(o.isSizeLimited).toBe(true);
  expect(o.spans[0]).toEqual({
    spanId: 0,
    parentSpanId: -1,
    startTime: T0,
    endTime: T0 + 10,
    refs: [
      {
        refType: 'CrossProcess',
        traceId: 'trace-1',
        parentTraceSegmentId: 'parent-1',
        parentSpanId: 0,
        parentService: 'svc',
        parentServiceInstance: 'svc-1',
        parentEndpoint: 'GET:/a',
        networkAddressUsedAtPeer: 'child:80',
      },
    ],
    operationName: 'op-0',
    peer: 'backend:8080',
    spanType: 'Exit',
    spanLayer: 'Http',
    componentId: 2,
    isError: true,
    tags: [{ key: 'http.method', value: 'GET' }],
    logs: [{ time: T0 + 3, data: [{ key: 'event', value: 'error' }] }],
    skipAnalysis: true,
  });
  expect(segment.spans[0]!.refs[0]!.refType).toBe(RefType.CrossProcess);
  expect(parseLine(line)).toEqual({ kind: 'segment', segment });
});

it('a JSON-bodied log outside a trace, with a layer and no endpoint: written and read back exactly', () => {
  const log: LogData = {
    timestamp: T0,
    service: 'svc',
    serviceInstance: 'svc-1',
    endpoint: '',
    body: { json: { json: '{"msg":"stock low"}' } },
    tags: [],
    layer: 'GENERAL',
  };
  const line = logLine(log);
  expect(line).toBe(
    '{"skywalking":"log","timestamp":1700000000000,"service":"svc","serviceInstance":"svc-1","body":{"json":{"json":"{\\"msg\\":\\"stock low\\"}"}},"layer":"GENERAL"}',
  );
  expect(parseLine(line)).toEqual({ kind: 'log', log });
});

it('properties and keep-alive with a layer: written and read back exactly', () => {
  const properties = {
    service: 'svc',
    serviceInstance: 'svc-1',
    properties: [{ key: 'language', value: 'NodeJS' }],
    layer: 'GENERAL',
  };
  const ping = { service: 'svc', serviceInstance: 'svc-1', layer: 'GENERAL' };
  expect(propertiesLine(properties)).toBe(
    '{"skywalking":"properties","service":"svc","serviceInstance":"svc-1","properties":[{"key":"language","value":"NodeJS"}],"layer":"GENERAL"}',
  );
  expect(keepAliveLine(ping)).toBe(
    '{"skywalking":"keepAlive","service":"svc","serviceInstance":"svc-1","layer":"GENERAL"}',
  );
  expect(parseLine(propertiesLine(properties))).toEqual({ kind: 'properties', properties });
  expect(parseLine(keepAliveLine(ping))).toEqual({ kind: 'keepAlive', ping });
});
