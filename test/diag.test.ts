/**
 * Diagnostics stay bounded in lines and in memory whatever the application does: one line per
 * condition per interval (the next one says how many more and names a few), a fixed number of
 * keys, and a soak of 1,000,000 spans in a child process with flat heap and two stderr lines.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import {
  MAX_EXAMPLE_LENGTH,
  MAX_KEYS,
  OVERFLOW_KEY,
  diagnosticCounts,
  log,
  onePrefix,
  redact,
  resetDiagnostics,
  shown,
  setLogger,
} from '../src/base/diag';
import { SkyWalkingTracer } from '../src/opentracing/tracer';
import { MemoryReporter } from '../src/reporter/memory';
import { CHILD_ENV } from './support/spawn';

const lines: string[] = [];
const HOUR = 3_600_000;

beforeEach(() => {
  resetDiagnostics();
  lines.length = 0;
  const push = (m: string): void => void lines.push(m);
  setLogger({ error: push, warn: push, info: push, debug: push });
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_700_000_000_000);
});

afterEach(() => {
  vi.useRealTimers();
  setLogger(undefined);
  resetDiagnostics();
});

it('one prefix on stderr: the library name at the start or after a colon is dropped, a subpath kept', () => {
  expect(onePrefix('skywalking-bridge: unknown option `x`')).toBe('unknown option `x`');
  expect(onePrefix('skywalking-bridge/register: tracing not started: skywalking-bridge: env X is "1"')).toBe(
    'register: tracing not started: env X is "1"',
  );
  expect(onePrefix('collector: a grpc handler failed')).toBe('collector: a grpc handler failed');
  expect(onePrefix('span "skywalking-bridge: x" injected')).toBe('span "skywalking-bridge: x" injected');
});

it('redacts passwords in URLs, addresses and JAAS text, and cuts quoted values past 120 characters', () => {
  expect(redact('at https://user:pa55@host:443/x and "bob:s3cret@oap:11800"')).toBe(
    'at https://user:***@host:443/x and "bob:***@oap:11800"',
  );
  expect(redact('sasl.jaas.config is "org.Plain required username=\\"u\\" password=\\"p4ss\\";"')).not.toContain(
    'p4ss',
  );
  expect(redact('password=hunter2, next')).toBe('password=***, next');
  expect(redact(`is "${'v'.repeat(500)}"`)).toBe(`is "${'v'.repeat(120)}... (500 characters)"`);
  expect(redact(`is "${shown('v'.repeat(500))}"`)).toBe(`is "${'v'.repeat(120)}... (500 characters)"`);
  expect(redact('"short" and "also short"')).toBe('"short" and "also short"');
  // every line diag writes goes through it
  log('warn', 'test.redact', 'cannot reach http://admin:topsecret@oap:11800');
  expect(lines).toEqual(['cannot reach http://admin:***@oap:11800']);
});

it('writes one line per key per interval; the next line counts the rest and names the first three', () => {
  for (let i = 0; i < 1000; i++) log('warn', 'test.cond', `failed on /users/${i}`, 60_000, `/users/${i}`);
  expect(lines).toEqual(['failed on /users/0']);
  vi.setSystemTime(1_700_000_060_000);
  log('warn', 'test.cond', 'failed on /users/1000', 60_000, '/users/1000');
  expect(lines).toEqual([
    'failed on /users/0',
    'failed on /users/1000 (999 more since the last line: "/users/1", "/users/2", "/users/3" and 996 more)',
  ]);
  // the summary starts again from nothing
  vi.setSystemTime(1_700_000_120_000);
  log('warn', 'test.cond', 'again', 60_000, 'x');
  expect(lines[2]).toBe('again');
  expect(diagnosticCounts()).toEqual({ 'test.cond': 1002 });
});

it('names distinct examples once, clips long ones, and says the count without examples when none were given', () => {
  log('warn', 'a', 'first', 1000, 'same');
  for (let i = 0; i < 5; i++) log('warn', 'a', 'x', 1000, 'same');
  log('warn', 'a', 'x', 1000, 'y'.repeat(500));
  log('warn', 'b', 'first b', 1000);
  log('warn', 'b', 'x', 1000);
  vi.setSystemTime(1_700_000_001_000);
  log('warn', 'a', 'second', 1000);
  log('warn', 'b', 'second b', 1000);
  expect(lines).toEqual([
    'first',
    'first b',
    `second (6 more since the last line: "same", "${'y'.repeat(MAX_EXAMPLE_LENGTH - 3)}..." and 4 more)`,
    'second b (1 more since the last line)',
  ]);
});

it('keeps at most MAX_KEYS keys: a caller that builds keys from data shares one overflow entry', () => {
  for (let i = 0; i < 10_000; i++) log('warn', `bad.key.${i}`, `line ${i}`);
  const counts = diagnosticCounts();
  expect(Object.keys(counts)).toHaveLength(MAX_KEYS + 1);
  expect(counts[OVERFLOW_KEY]).toBe(10_000 - MAX_KEYS);
  // each tracked key wrote its first line, then the overflow entry one line for all the others
  expect(lines).toHaveLength(MAX_KEYS + 1);
  expect(lines[MAX_KEYS]).toBe(`line ${MAX_KEYS}`);
});

it('counts below the level threshold without writing', () => {
  log('debug', 'quiet', 'not written');
  expect(lines).toEqual([]);
  expect(diagnosticCounts()).toEqual({ quiet: 1 });
});

it('an OpenTracing client span injecting without a peer: one key for every operation, one line per hour', () => {
  const tracer = new SkyWalkingTracer({ serviceName: 'svc', serviceInstance: 'svc-1', reporter: new MemoryReporter() });
  const inject = (name: string): void => {
    const span = tracer.startSpan(name, { tags: { 'span.kind': 'client' } });
    tracer.inject(span, FORMAT_HTTP_HEADERS, {});
    span.finish();
  };
  for (let i = 0; i < 10_000; i++) inject(`/users/${i}`);
  const advice =
    'Set the peer (OpenTracing: peer.hostname + peer.port; OpenTelemetry: server.address + server.port) so topology shows the real address.';
  expect(lines).toEqual([`span "/users/0" injected sw8 without a peer; using "/users/0". ${advice}`]);
  expect(diagnosticCounts()).toEqual({ 'recorder.nopeer': 10_000 });
  vi.setSystemTime(1_700_000_000_000 + HOUR);
  inject('/orders');
  expect(lines[1]).toBe(
    `span "/orders" injected sw8 without a peer; using "/orders". ${advice} (9999 more since the last line: "/users/1", "/users/2", "/users/3" and 9996 more)`,
  );
});

/** Run test/fixtures/diag-soak.js on the built dist/; its JSON result and stderr lines. */
interface SoakResult {
  spans: number;
  thrown: number;
  elapsedMs: number;
  heapStartMB: number;
  heapEndMB: number;
}

function soak(mode: string, spans: number): Promise<{ result: SoakResult; stderr: string[] }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--expose-gc', resolve(__dirname, 'fixtures/diag-soak.js'), String(spans), mode],
      // a deadline for a hang, sized from the work (1,000,000 spans: ~15 s quiet, 120 s at load ~25)
      { env: { ...process.env, ...CHILD_ENV }, timeout: 400_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`${error.message}\n${stderr.slice(0, 2000)}`));
        done({ result: JSON.parse(stdout) as SoakResult, stderr: stderr.split('\n').filter((l) => l !== '') });
      },
    );
  });
}

// the two soaks run at once, each in a process of its own (the heap figures are each process's own)
it.concurrent(
  '1,000,000 OpenTracing spans with distinct names injecting without a peer, each segment refused with a distinct error: heap flat, two stderr lines',
  async () => {
    const { result, stderr } = await soak('opentracing', 1_000_000);
    expect(result.spans).toBe(1_000_000);
    expect(result.thrown).toBe(1_000_000);
    // one line per condition per interval (60 s for the refused segment): a slower machine may add one per minute
    expect(stderr.slice(0, 2)).toEqual([
      '[skywalking-bridge] WARN span "/users/0" injected sw8 without a peer; using "/users/0". Set the peer (OpenTracing: peer.hostname + peer.port; OpenTelemetry: server.address + server.port) so topology shows the real address.',
      '[skywalking-bridge] WARN reporter failed to accept a segment: Error: sink refused segment #1',
    ]);
    expect(stderr.length).toBeLessThanOrEqual(2 + Math.floor(result.elapsedMs / 60_000));
    // before: +18 MB per 200,000 spans (a count and a throttle entry per operation name; +64 MB with stderr a pipe, as here)
    expect(result.heapEndMB - result.heapStartMB).toBeLessThan(2);
  },
  450_000,
);

it.concurrent(
  '50,000 OTel requests, each extracting a distinct sw8 (Java trace id, parent service and endpoint) and injecting a distinct path without a peer: heap flat, two stderr lines',
  async () => {
    // the sw8 decode and encode caches, the trace id hash cache and the registry's remote-parent maps
    // all see a new key per request here (50,000 is far past each one's capacity; the leak this guards
    // against grew the heap by ~320 bytes a request)
    const { result, stderr } = await soak('opentelemetry', 50_000);
    expect(result.spans).toBe(100_000);
    expect(result.thrown).toBe(50_000);
    expect(stderr.slice(0, 2)).toEqual([
      '[skywalking-bridge] WARN span "/users/0" injected sw8 without a peer; using "/users/0". Set the peer (OpenTracing: peer.hostname + peer.port; OpenTelemetry: server.address + server.port) so topology shows the real address.',
      '[skywalking-bridge] WARN reporter failed to accept a segment: Error: sink refused segment #1',
    ]);
    expect(stderr.length).toBeLessThanOrEqual(2 + Math.floor(result.elapsedMs / 60_000));
    // before: +64 MB per 200,000 requests with stderr a pipe
    expect(result.heapEndMB - result.heapStartMB).toBeLessThan(2);
  },
  450_000,
);
