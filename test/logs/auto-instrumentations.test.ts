/**
 * Every log path under OpenTelemetry's auto-instrumentations, as users run them: the zero-code start
 * (`--require skywalking-bridge/register`) and a tracing file with `getNodeAutoInstrumentations()`
 * (test/logs/fixtures/auto-tracing.js), each with Express 4 and 5, in real processes reporting to the
 * embedded collector. Each record must carry the exact ids of the span that wrote it, the endpoint
 * of its segment as reported (the route's, though the route names the span after the line is
 * written), and a body without the instrumentations' fields, while the application's own fields of
 * the same names (every key the ids carrier and stamps use) stay data.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Collector, type StoredLog, startCollector } from '../../src/collector';
import { SpanType } from '../../src/base/model';
import { type Service, startProcess } from '../support/spawn';

const ROOT = join(__dirname, '..', '..');
const APP = join(__dirname, 'fixtures', 'auto-app.js');
const TRACING = join(__dirname, 'fixtures', 'auto-tracing.js');

let collector: Collector;
let express5Dir: string;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
  // the express instrumentation knows the module by its folder name: express 5 (installed as
  // `express5`) is loaded through a folder named `express` (with --preserve-symlinks)
  express5Dir = mkdtempSync(join(tmpdir(), 'sw-express5-'));
  mkdirSync(join(express5Dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'express5'), join(express5Dir, 'node_modules', 'express'), 'dir');
});
afterAll(async () => {
  await collector.stop();
  rmSync(express5Dir, { recursive: true, force: true });
});

type Setup = 'register' | 'tracing-file';
type LogPath = 'destination' | 'transport' | 'winston' | 'otel-logs';

const PATHS: LogPath[] = ['destination', 'transport', 'winston', 'otel-logs'];

async function start(setup: Setup, expressMajor: 4 | 5, service: string): Promise<Service> {
  process.chdir(ROOT); // `skywalking-bridge/...` resolves from the package itself
  const preload = setup === 'register' ? 'skywalking-bridge/register' : TRACING;
  const express5 = expressMajor === 5;
  const s = await startProcess(
    process.execPath,
    [...(express5 ? ['--preserve-symlinks'] : []), '--require', preload, APP],
    {
      SW_AGENT_NAME: service,
      SW_AGENT_INSTANCE_NAME: `${service}-1`,
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
      SW_BRIDGE_FLUSH_INTERVAL: '50',
      OTEL_LOGS_EXPORTER: '',
      LOG_PATH: PATHS.join(','),
      ...(express5
        ? { EXPRESS: join(express5Dir, 'node_modules', 'express'), NODE_PATH: join(ROOT, 'node_modules') }
        : {}),
    },
  );
  return s;
}

// a deadline for a hang (the records and segment arrive within a second or two quiet; 15 s was not
// enough with sixteen apps at once on two busy cores)
async function until<T>(what: string | (() => string), read: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await Promise.race([collector.changed(), new Promise((r) => setTimeout(r, 200))]);
  }
}

interface Ids {
  traceId: string;
  segmentId: string;
  spanId: number;
  service: string;
  serviceInstance: string;
}

const HOSTILE = {
  sw_ctx: 'forged|seg-x|9|evil|evil-1|/evil',
  'sw_ctx~': 'forged2|seg-y|8|evil|evil-1|/evil',
  trace_id: 'forged-trace',
  segment_id: 'forged-seg',
  span_id: 5,
  sw_service: 'evil',
  sw_instance: 'evil-1',
  sw_endpoint: '/evil',
  trace_flags: 'ff',
};

/** The two records' bodies and own tags as each path reports them. */
function expected(path: LogPath): { bodies: unknown[]; tags: Record<string, string>[] } {
  if (path === 'otel-logs') {
    const hostileTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(HOSTILE)) hostileTags[k] = String(v);
    return {
      bodies: ['order read', 'hostile'],
      tags: [
        { level: 'info', logger: 'orders', orderId: '7' },
        { level: 'info', logger: 'orders', ...hostileTags },
      ],
    };
  }
  if (path === 'winston') {
    // OTel's winston instrumentation writes its trace_id, span_id, trace_flags over the record's own
    const kept: Record<string, unknown> = { ...HOSTILE };
    for (const k of ['trace_id', 'span_id', 'trace_flags']) delete kept[k];
    return {
      bodies: [
        { message: 'order read', orderId: '7' },
        { message: 'hostile', ...kept },
      ],
      tags: [{ level: 'info' }, { level: 'info' }],
    };
  }
  return {
    bodies: [
      { msg: 'order read', orderId: '7' },
      { msg: 'hostile', ...HOSTILE },
    ],
    tags: [
      { level: 'info', logger: 'orders' },
      { level: 'info', logger: 'orders' },
    ],
  };
}

const tagsOf = (l: StoredLog): Record<string, string> => Object.fromEntries(l.tags.map((t) => [t.key, t.value]));
const bodyOf = (l: StoredLog): unknown => (l.contentType === 'JSON' ? JSON.parse(l.content) : l.content);

const CASES: Array<[Setup, LogPath, 4 | 5]> = [];
for (const setup of ['register', 'tracing-file'] as const)
  for (const path of PATHS) for (const major of [4, 5] as const) CASES.push([setup, path, major]);

// One application process per setup and Express major, with a logger of every path: a request
// names the path its handler logs through, so each case is its own trace (the processes load every
// auto-instrumentation: four of them instead of sixteen cut ~15 s of CPU from the suite). Started
// by the first case that needs one, stopped after the file.
const apps = new Map<string, Promise<Service>>();
function appFor(setup: Setup, major: 4 | 5): Promise<Service> {
  const key = `${setup}-${major}`;
  let app = apps.get(key);
  if (!app) {
    app = start(setup, major, `auto-${key}`);
    apps.set(key, app);
  }
  return app;
}
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.then((a) => a.stop()).catch(() => undefined)));
});

// the cases run a few at a time (vitest's maxConcurrency), as each mostly waits on its records
it.concurrent.for(CASES)(
  '%s, %s, Express %s: the records land under the handler span with the route endpoint; the instrumentations\u2019 fields leave the body, the application\u2019s stay',
  async ([setup, path, major]) => {
    const service = `auto-${setup}-${major}`;
    const app = await appFor(setup, major);
    const res = await fetch(`http://127.0.0.1:${app.port}/orders/7?path=${path}`);
    const ids = (await res.json()) as Ids;
    expect(ids.service).toBe(service);
    await fetch(`http://127.0.0.1:${app.port}/flush`);
    const logs = await until(
      () =>
        `2 log records of ${JSON.stringify(ids)}; have ${JSON.stringify(collector.traceLogs(ids.traceId))}; output:\n${app.output()}`,
      () => {
        const found = collector.traceLogs(ids.traceId);
        return found.length >= 2 ? found : undefined;
      },
    );
    // the segment: sent by the reporter once the request's spans ended (its flush interval is 50 ms)
    const segment = await until('the segment', () =>
      collector.trace(ids.traceId).find((s) => s.traceSegmentId === ids.segmentId),
    );
    const entry = segment.spans.find((s) => s.spanType === SpanType.Entry)!;
    expect(entry.operationName).toBe('GET:/orders/:id');
    const handler = segment.spans.find((s) => s.spanId === ids.spanId)!;
    expect(handler).toBeDefined();

    const want = expected(path);
    const isHostile = (l: StoredLog): boolean => {
      const b = bodyOf(l) as string | { msg?: string; message?: string };
      return b === 'hostile' || (typeof b === 'object' && (b.msg ?? b.message) === 'hostile');
    };
    const sorted = [...logs.filter((l) => !isHostile(l)), ...logs.filter(isHostile)];
    expect(sorted).toHaveLength(2);
    sorted.forEach((l, i) => {
      expect(l.traceContext).toEqual({ traceId: ids.traceId, traceSegmentId: ids.segmentId, spanId: ids.spanId });
      expect(l.service).toBe(service);
      expect(l.serviceInstance).toBe(`${service}-1`);
      expect(l.endpoint).toBe(entry.operationName);
      expect(bodyOf(l)).toEqual(want.bodies[i]);
      expect(tagsOf(l)).toEqual(want.tags[i]);
    });
  },
);
