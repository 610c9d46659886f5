import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';
import { LineReporter } from '../../src/reporter/line';
import { RotatingFile } from '../../src/reporter/line-file';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { resolveConfig } from '../../src/base/config';
import { keepAliveLine, logLine, propertiesLine, segmentLine } from '../../src/protocol/line-json';
import { parseLine } from '../../src/protocol/line-parse';
import type { SegmentObject } from '../../src/base/model';

const dir = mkdtempSync(join(tmpdir(), 'swb-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real segment: an Entry continued from sw8 (a CrossProcess ref), an Exit with a peer, tags, a log, an error. */
function recorded(): { segment: SegmentObject; memory: MemoryReporter } {
  const memory = new MemoryReporter();
  const tracer = new SkyWalkingTracer({ serviceName: 'orders', serviceInstance: 'orders-1', reporter: memory });
  const sw8 = encodeSw8({
    sample: 1,
    traceId: 'trace-1',
    segmentId: 'parent-seg',
    spanId: 3,
    service: 'gateway',
    instance: 'gw-1',
    endpoint: '/api',
    address: 'orders:8080',
  });
  const parent = tracer.extract('http_headers', { sw8 });
  const entry = tracer.startSpan('GET /orders', {
    childOf: parent ?? undefined,
    tags: { 'span.kind': 'server', 'http.method': 'GET' },
  });
  const exit = tracer.startSpan('SELECT', {
    childOf: entry,
    tags: { 'span.kind': 'client', 'db.type': 'sql', 'peer.address': 'db:5432', error: true },
  });
  exit.log({ event: 'error', message: 'boom\n"quoted"' }, 1_700_000_000_123);
  exit.finish();
  entry.finish();
  return { segment: memory.segments[0]!, memory };
}

describe('the line format', () => {
  it('reads back every field of a real segment exactly', () => {
    const { segment } = recorded();
    const line = segmentLine(segment);
    expect(line.startsWith('{"skywalking":"segment","traceId":"trace-1","traceSegmentId":"')).toBe(true);
    expect(line).not.toContain('\n');
    expect(line).toContain('"refType":"CrossProcess"');
    expect(line).toContain('"spanType":"Entry"');
    expect(line).toContain('"spanType":"Exit"');
    expect(line).toContain('"spanLayer":"Database"');
    expect(line).toContain('"isError":true');
    expect(parseLine(line)).toEqual({ kind: 'segment', segment });
    // written by hand, but exactly what JSON.stringify gives for the same object
    expect(JSON.stringify(JSON.parse(line))).toBe(line);
  });

  it('finds the marker after a prefix a collector added, and tells foreign and broken lines apart', () => {
    const { segment } = recorded();
    const line = segmentLine(segment);
    expect(parseLine(`2026-12-07T19:00:00.1Z stdout F ${line}`)).toEqual({ kind: 'segment', segment });
    expect(parseLine('2020/07/25 11:28:35 service_request.go:119: [INFO] [trace_id=abc] start')).toEqual({
      kind: 'foreign',
    });
    expect(parseLine(line.slice(0, line.length - 10))).toEqual({
      kind: 'invalid',
      reason: 'not one JSON object from the marker to the end of the line',
    });
    expect(parseLine('{"skywalking":"segment","traceId":1}')).toEqual({
      kind: 'invalid',
      reason: 'traceId is not a string',
    });
    expect(parseLine('{"skywalking":"segment","traceId":"t"}')).toEqual({
      kind: 'invalid',
      reason: 'a segment needs traceId, traceSegmentId and service',
    });
    expect(parseLine('{"skywalking":"span"}')).toEqual({ kind: 'invalid', reason: 'unknown kind "span"' });
    expect(
      parseLine(
        '{"skywalking":"segment","traceId":"t","traceSegmentId":"s","service":"a","spans":[{"spanType":"Sideways"}]}',
      ),
    ).toEqual({ kind: 'invalid', reason: 'spanType is not one of Entry, Exit, Local' });
  });

  it('takes int64 as strings and enums as numbers, as the OAP does', () => {
    const parsed = parseLine(
      '{"skywalking":"segment","traceId":"t","traceSegmentId":"s","service":"a","serviceInstance":"i","spans":[{"spanId":0,"parentSpanId":-1,"startTime":"1700000000000","endTime":"1700000000005","spanType":1,"spanLayer":"Http","componentId":49}]}',
    );
    expect(parsed).toEqual({
      kind: 'segment',
      segment: {
        traceId: 't',
        traceSegmentId: 's',
        service: 'a',
        serviceInstance: 'i',
        isSizeLimited: false,
        spans: [
          {
            spanId: 0,
            parentSpanId: -1,
            startTime: 1_700_000_000_000,
            endTime: 1_700_000_000_005,
            refs: [],
            operationName: '',
            peer: '',
            spanType: 1,
            spanLayer: 3,
            componentId: 49,
            isError: false,
            tags: [],
            logs: [],
            skipAnalysis: false,
          },
        ],
      },
    });
  });

  it('writes log records, properties and keep-alive in the OAP JSON and reads them back', () => {
    const log = {
      timestamp: 1_700_000_000_000,
      service: 'orders',
      serviceInstance: 'orders-1',
      endpoint: 'GET /orders',
      body: { text: { text: 'paid' } },
      traceContext: { traceId: 't', traceSegmentId: 's', spanId: 1 },
      tags: [{ key: 'level', value: 'INFO' }],
      layer: '',
    };
    expect(logLine(log)).toBe(
      '{"skywalking":"log","timestamp":1700000000000,"service":"orders","serviceInstance":"orders-1","endpoint":"GET /orders","body":{"text":{"text":"paid"}},"traceContext":{"traceId":"t","traceSegmentId":"s","spanId":1},"tags":{"data":[{"key":"level","value":"INFO"}]}}',
    );
    expect(parseLine(logLine(log))).toEqual({ kind: 'log', log });
    const json = { ...log, body: { json: { json: '{"a":1}' } }, traceContext: undefined, tags: [] };
    delete json.traceContext;
    expect(parseLine(logLine(json))).toEqual({ kind: 'log', log: json });
    const properties = {
      service: 'a',
      serviceInstance: 'i',
      properties: [{ key: 'language', value: 'NodeJS' }],
      layer: '',
    };
    expect(propertiesLine(properties)).toBe(
      '{"skywalking":"properties","service":"a","serviceInstance":"i","properties":[{"key":"language","value":"NodeJS"}]}',
    );
    expect(parseLine(propertiesLine(properties))).toEqual({ kind: 'properties', properties });
    const ping = { service: 'a', serviceInstance: 'i', layer: '' };
    expect(keepAliveLine(ping)).toBe('{"skywalking":"keepAlive","service":"a","serviceInstance":"i"}');
    expect(parseLine(keepAliveLine(ping))).toEqual({ kind: 'keepAlive', ping });
  });
});

describe('LineReporter', () => {
  it('writes a segment, a log record, properties and keep-alive to its file, counted', async () => {
    const file = join(dir, 'app.swlines');
    const { memory } = recorded();
    const reporter = new LineReporter(
      resolveConfig({ serviceName: 'orders', serviceInstance: 'orders-1', reporter: 'line', lineFile: file }),
      { lateIdentity: true },
    );
    reporter.report({ toSegmentObject: () => memory.segments[0]! });
    reporter.reportLog({
      timestamp: 1,
      service: 'orders',
      serviceInstance: 'orders-1',
      endpoint: '',
      body: { text: { text: 'x' } },
      tags: [],
      layer: '',
    });
    reporter.startHeartbeat();
    await reporter.flush(5000);
    expect(reporter.stats()).toMatchObject({ sent: 1, queued: 0, dropped: 0, lost: 0, logs: { sent: 1, queued: 0 } });
    await reporter.shutdown(5000);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.length).toBe(5);
    expect(lines[4]).toBe('');
    expect(lines.slice(0, 4).map((l) => parseLine(l).kind)).toEqual(['segment', 'log', 'properties', 'keepAlive']);
    expect(parseLine(lines[0]!)).toEqual({ kind: 'segment', segment: memory.segments[0] });
  });

  it('drops new lines past its bound, counted, without blocking', async () => {
    let release: (() => void) | undefined;
    const chunks: Buffer[] = [];
    const reporter = new LineReporter(resolveConfig({ reporter: 'line', lineBufferChars: 1024 }), {
      lateIdentity: true,
      destination: {
        write: (chunk, done) => {
          chunks.push(chunk);
          release = () => done(null);
        },
        close: () => undefined,
      },
    });
    const log = {
      timestamp: 1,
      service: 's',
      serviceInstance: 'i',
      endpoint: '',
      body: { text: { text: 'y'.repeat(300) } },
      tags: [],
      layer: '',
    };
    for (let i = 0; i < 10; i++) reporter.reportLog(log);
    // the line is ~390 characters: two fit in 1024
    expect(reporter.stats().logs).toEqual({ queued: 2, sent: 0, dropped: 8, lost: 0 });
    await new Promise((r) => setImmediate(r));
    expect(chunks.length).toBe(1);
    release!();
    await reporter.flush(1000);
    expect(reporter.stats().logs).toEqual({ queued: 0, sent: 2, dropped: 8, lost: 0 });
  });

  it('rotates the file the way logging tools do, keeping the newest files', () => {
    const file = join(dir, 'rot.log');
    const rf = new RotatingFile(file, 4096, 2);
    const line = `${'z'.repeat(1023)}\n`;
    let pending = 0;
    return new Promise<void>((resolve) => {
      const next = (i: number): void => {
        if (i === 13) {
          rf.close();
          resolve();
          return;
        }
        pending++;
        rf.write(line, (e) => {
          expect(e).toBeNull();
          pending--;
          next(i + 1);
        });
      };
      next(0);
    }).then(() => {
      expect(pending).toBe(0);
      expect(
        readdirSync(dir)
          .filter((n) => n.startsWith('rot.log'))
          .sort(),
      ).toEqual(['rot.log', 'rot.log.1', 'rot.log.2']);
      expect(readFileSync(file, 'utf8').length).toBe(1024);
      expect(readFileSync(`${file}.1`, 'utf8').length).toBe(4096);
      expect(readFileSync(`${file}.2`, 'utf8').length).toBe(4096);
    });
  });
});

describe('reporter line options', () => {
  it('resolves option > env > default, and refuses what it cannot use, saying what to change', () => {
    expect(resolveConfig({ reporter: 'line' }).line).toEqual({
      file: '',
      fileMaxBytes: 100 * 1024 * 1024,
      fileCount: 5,
      bufferChars: 8 * 1024 * 1024,
    });
    expect(resolveConfig({ reporter: 'grpc' }).line).toBeUndefined();
    expect(() => resolveConfig({ reporter: 'line', lineFile: 'app.lines' })).toThrow(
      'skywalking-bridge: option `lineFile` is "app.lines"; expected an absolute path (nothing is written relative to the working directory).',
    );
    expect(() => resolveConfig({ reporter: 'line', lineFileCount: -1 })).toThrow(
      'skywalking-bridge: option `lineFileCount` is -1; expected a whole number from 0 to 100.',
    );
    const saved = process.env.SW_BRIDGE_LINE_FILE_MAX_BYTES;
    process.env.SW_BRIDGE_LINE_FILE_MAX_BYTES = 'lots';
    try {
      expect(() => resolveConfig({ reporter: 'line' })).toThrow(
        'skywalking-bridge: env SW_BRIDGE_LINE_FILE_MAX_BYTES is "lots"; expected a whole number from 4096 to 4398046511104.',
      );
      process.env.SW_BRIDGE_LINE_FILE_MAX_BYTES = '65536';
      expect(resolveConfig({ reporter: 'line' }).line!.fileMaxBytes).toBe(65536);
      expect(resolveConfig({ reporter: 'line', lineFileMaxBytes: 8192 }).line!.fileMaxBytes).toBe(8192);
    } finally {
      if (saved === undefined) delete process.env.SW_BRIDGE_LINE_FILE_MAX_BYTES;
      else process.env.SW_BRIDGE_LINE_FILE_MAX_BYTES = saved;
    }
  });
});
