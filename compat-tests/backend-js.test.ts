/**
 * Agreement with the official SkyWalking Node agent (skywalking-backend-js):
 * - sw8 headers we write are accepted by its ContextCarrier, and its headers by us;
 * - the bytes our gRPC reporter sends decode with its google-protobuf classes, generated from the
 *   official .proto files, to exactly the segment we built; and its bytes decode with our loader.
 */
import type * as grpcTypes from '@grpc/grpc-js';
import { startCollector } from '../src/collector';
import { resolveConfig } from '../src/base/config';
import { RefType, type SegmentObject, SpanLayer, SpanType } from '../src/base/model';
import { loadServices } from '../src/protocol/loader';
import { decodeSw8, encodeSw8, type Sw8Context } from '../src/propagation/sw8';
import { GrpcReporter } from '../src/reporter/grpc';

/* eslint-disable @typescript-eslint/no-require-imports */
const { ContextCarrier } = require('skywalking-backend-js/lib/trace/context/ContextCarrier');
const ID = require('skywalking-backend-js/lib/trace/ID').default;
const pb = require('skywalking-backend-js/lib/proto/language-agent/Tracing_pb.js');
/* eslint-enable @typescript-eslint/no-require-imports */

describe('sw8 with the official Node agent', () => {
  const ours: Sw8Context = {
    sample: 1,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    segmentId: 'b7ad6b7169203331a1b2c3d4e5f60718',
    spanId: 3,
    service: '服务-α',
    instance: 'orders-1@host',
    endpoint: 'GET:/café',
    address: 'orders:8080',
  };

  it('its ContextCarrier accepts the headers we write, every field equal', () => {
    const carrier = ContextCarrier.from({ sw8: encodeSw8(ours) });
    expect(carrier.isValid()).toBe(true);
    expect(carrier.traceId.toString()).toBe(ours.traceId);
    expect(carrier.segmentId.toString()).toBe(ours.segmentId);
    expect(carrier.spanId).toBe(3);
    expect(carrier.service).toBe(ours.service);
    expect(carrier.serviceInstance).toBe(ours.instance);
    expect(carrier.endpoint).toBe(ours.endpoint);
    expect(carrier.clientAddress).toBe(ours.address);
  });

  it('we accept the headers it writes, every field equal', () => {
    const traceId = new ID();
    const segmentId = new ID();
    const carrier = new ContextCarrier(traceId, segmentId, 5, 'node-svc', 'node-1', '/users', 'users:3000');
    const header = carrier.value as string;
    expect(header).not.toBe('');
    expect(decodeSw8(header)).toEqual({
      sample: 1,
      traceId: traceId.toString(),
      segmentId: segmentId.toString(),
      spanId: 5,
      service: 'node-svc',
      instance: 'node-1',
      endpoint: '/users',
      address: 'users:3000',
    });
  });

  it('both sides reject a header with a missing field', () => {
    const bad = encodeSw8(ours)!.split('-').slice(0, 7).join('-');
    expect(decodeSw8(bad)).toBeUndefined();
    expect(ContextCarrier.from({ sw8: bad }).isValid()).toBe(false);
  });
});

/** Every field set: refs of both types, tags, logs, every span type and layer, flags, non-ASCII, large int64. */
function fullSegment(): SegmentObject {
  const base = 1_700_000_000_123;
  const layers = [
    SpanLayer.Unknown,
    SpanLayer.Database,
    SpanLayer.RPCFramework,
    SpanLayer.Http,
    SpanLayer.MQ,
    SpanLayer.Cache,
    SpanLayer.FAAS,
  ];
  return {
    traceId: 'java.trace.17000000000001',
    traceSegmentId: 'b7ad6b7169203331a1b2c3d4e5f60718',
    service: '服务-α',
    serviceInstance: 'inst-ü@host',
    isSizeLimited: true,
    spans: layers.map((layer, i) => ({
      spanId: i,
      parentSpanId: i - 1,
      startTime: base + i,
      endTime: base + 10 * i + 5,
      refs:
        i === 0
          ? [
              {
                refType: RefType.CrossProcess,
                traceId: 'java.trace.17000000000001',
                parentTraceSegmentId: 'parent-seg',
                parentSpanId: 4,
                parentService: 'gateway',
                parentServiceInstance: 'gw-1',
                parentEndpoint: '/api/checkout',
                networkAddressUsedAtPeer: 'orders:8080',
              },
              {
                refType: RefType.CrossThread,
                traceId: 'java.trace.17000000000001',
                parentTraceSegmentId: 'other-seg',
                parentSpanId: 0,
                parentService: '服务-α',
                parentServiceInstance: 'inst-ü@host',
                parentEndpoint: 'GET:/café',
                networkAddressUsedAtPeer: '',
              },
            ]
          : [],
      operationName: `op-${i}-é`,
      peer: i % 2 === 0 ? '' : `peer-${i}:${1000 + i}`,
      spanType: [SpanType.Entry, SpanType.Exit, SpanType.Local][i % 3]!,
      spanLayer: layer,
      componentId: [49, 22, 23, 2, 40, 7, 5004][i]!,
      isError: i % 2 === 1,
      tags: [
        { key: 'http.method', value: 'GET' },
        { key: 'db.statement', value: `SELECT '${i}' -- ü` },
      ],
      logs: [
        {
          time: base + i + 1,
          data: [
            { key: 'event', value: 'error' },
            { key: 'message', value: `boom ${i}` },
          ],
        },
      ],
      skipAnalysis: i === 6,
    })),
  };
}

/** Our SegmentObject in google-protobuf's toObject() shape. */
function asPbObject(s: SegmentObject): unknown {
  return {
    traceid: s.traceId,
    tracesegmentid: s.traceSegmentId,
    service: s.service,
    serviceinstance: s.serviceInstance,
    issizelimited: s.isSizeLimited,
    spansList: s.spans.map((sp) => ({
      spanid: sp.spanId,
      parentspanid: sp.parentSpanId,
      starttime: sp.startTime,
      endtime: sp.endTime,
      refsList: sp.refs.map((r) => ({
        reftype: r.refType,
        traceid: r.traceId,
        parenttracesegmentid: r.parentTraceSegmentId,
        parentspanid: r.parentSpanId,
        parentservice: r.parentService,
        parentserviceinstance: r.parentServiceInstance,
        parentendpoint: r.parentEndpoint,
        networkaddressusedatpeer: r.networkAddressUsedAtPeer,
      })),
      operationname: sp.operationName,
      peer: sp.peer,
      spantype: sp.spanType,
      spanlayer: sp.spanLayer,
      componentid: sp.componentId,
      iserror: sp.isError,
      tagsList: sp.tags.map((t) => ({ key: t.key, value: t.value })),
      logsList: sp.logs.map((l) => ({ time: l.time, dataList: l.data.map((d) => ({ key: d.key, value: d.value })) })),
      skipanalysis: sp.skipAnalysis,
    })),
  };
}

describe('protocol bytes against the official generated classes', () => {
  it('what our reporter sends decodes with skywalking-backend-js Tracing_pb to exactly our segment', async () => {
    const { grpc } = loadServices();
    const received: Buffer[] = [];
    const server = new grpc.Server();
    const passThrough = (b: Buffer) => b;
    server.addService(
      {
        collect: {
          path: '/skywalking.v3.TraceSegmentReportService/collect',
          requestStream: true,
          responseStream: false,
          requestSerialize: passThrough,
          requestDeserialize: passThrough,
          responseSerialize: () => Buffer.alloc(0),
          responseDeserialize: passThrough,
        },
      } as grpcTypes.ServiceDefinition,
      {
        collect(call: grpcTypes.ServerReadableStream<Buffer, unknown>, cb: grpcTypes.sendUnaryData<unknown>) {
          call.on('data', (b: Buffer) => received.push(b));
          call.on('end', () => cb(null, {}));
        },
      },
    );
    const port = await new Promise<number>((ok, fail) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
    );
    const reporter = new GrpcReporter(
      resolveConfig({ collectorAddress: `127.0.0.1:${port}`, flushIntervalMs: 50 }, {}),
    );
    const seg = fullSegment();
    reporter.report({ toSegmentObject: () => seg });
    await reporter.flush();
    await reporter.shutdown(500);
    server.forceShutdown();
    expect(received).toHaveLength(1);
    const decoded = pb.SegmentObject.deserializeBinary(new Uint8Array(received[0]!)).toObject();
    expect(decoded).toEqual(asPbObject(seg));
  });

  it('bytes serialized by the official classes decode with our protos to the same segment', async () => {
    const collector = await startCollector({ grpcPort: 0, httpPort: false });
    const seg = fullSegment();
    const msg = new pb.SegmentObject();
    msg.setTraceid(seg.traceId);
    msg.setTracesegmentid(seg.traceSegmentId);
    msg.setService(seg.service);
    msg.setServiceinstance(seg.serviceInstance);
    msg.setIssizelimited(seg.isSizeLimited);
    for (const sp of seg.spans) {
      const p = new pb.SpanObject();
      p.setSpanid(sp.spanId);
      p.setParentspanid(sp.parentSpanId);
      p.setStarttime(sp.startTime);
      p.setEndtime(sp.endTime);
      for (const r of sp.refs) {
        const ref = new pb.SegmentReference();
        ref.setReftype(r.refType);
        ref.setTraceid(r.traceId);
        ref.setParenttracesegmentid(r.parentTraceSegmentId);
        ref.setParentspanid(r.parentSpanId);
        ref.setParentservice(r.parentService);
        ref.setParentserviceinstance(r.parentServiceInstance);
        ref.setParentendpoint(r.parentEndpoint);
        ref.setNetworkaddressusedatpeer(r.networkAddressUsedAtPeer);
        p.addRefs(ref);
      }
      p.setOperationname(sp.operationName);
      p.setPeer(sp.peer);
      p.setSpantype(sp.spanType);
      p.setSpanlayer(sp.spanLayer);
      p.setComponentid(sp.componentId);
      p.setIserror(sp.isError);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const common = require('skywalking-backend-js/lib/proto/common/Common_pb.js');
      for (const t of sp.tags) {
        const kv = new common.KeyStringValuePair();
        kv.setKey(t.key);
        kv.setValue(t.value);
        p.addTags(kv);
      }
      for (const l of sp.logs) {
        const log = new pb.Log();
        log.setTime(l.time);
        for (const d of l.data) {
          const kv = new common.KeyStringValuePair();
          kv.setKey(d.key);
          kv.setValue(d.value);
          log.addData(kv);
        }
        p.addLogs(log);
      }
      p.setSkipanalysis(sp.skipAnalysis);
      msg.addSpans(p);
    }
    const bytes = Buffer.from(msg.serializeBinary());
    const { grpc } = loadServices();
    const client = new grpc.Client(collector.grpcAddress, grpc.credentials.createInsecure());
    await new Promise<void>((ok, fail) => {
      const call = client.makeClientStreamRequest(
        '/skywalking.v3.TraceSegmentReportService/collect',
        (b: Buffer) => b,
        (b: Buffer) => b,
        (err: grpcTypes.ServiceError | null) => (err ? fail(err) : ok()),
      );
      call.write(bytes);
      call.end();
    });
    client.close();
    const got = collector.segments();
    await collector.stop();
    expect(got).toEqual([seg]);
  });
});
