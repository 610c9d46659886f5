/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The collector's web UI in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * a real scenario reported by our tracer over real gRPC, then the pages as a person sees them.
 * Runs when /usr/bin/chromium (or SWB_CHROMIUM) exists; `.ci/run` installs it, so CI always runs it.
 * Screenshots go to artifacts/ui/ (SWB_ARTIFACTS_DIR overrides).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as opentracing from 'opentracing';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { type Collector, startCollector } from '../../src/collector';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';

const CHROMIUM = process.env.SWB_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM);
const ARTIFACTS = process.env.SWB_ARTIFACTS_DIR ?? resolve(__dirname, '..', '..', 'artifacts', 'ui');
const { Tags, FORMAT_HTTP_HEADERS } = opentracing;

const XSS_NAME = '<script>window.__pwned=1</script>GET:/evil';
const XSS_TAG = '<img src=x onerror="window.__pwned=2">';

/** frontend (Entry, Exit to orders) -> orders (Entry, Exit to postgres, a CrossThread job); one error trace; one hostile trace. */
async function scenario(address: string): Promise<{ main: string; error: string; hostile: string; big: string }> {
  const front = new SkyWalkingTracer({ serviceName: 'frontend', collectorAddress: address, spanLimit: 5000 });
  const orders = new SkyWalkingTracer({ serviceName: 'orders', collectorAddress: address });
  const t0 = Date.now() - 1000;
  const entry = front.startSpan('GET:/checkout', {
    startTime: t0,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'http', [Tags.HTTP_METHOD]: 'GET' },
  });
  const exit = front.startSpan('/orders', {
    childOf: entry,
    startTime: t0 + 5,
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
      [Tags.COMPONENT]: 'http',
      [Tags.PEER_HOSTNAME]: 'orders',
      [Tags.PEER_PORT]: 8080,
    },
  });
  const headers: Record<string, string> = {};
  front.inject(exit, FORMAT_HTTP_HEADERS, headers);
  const parent = orders.extract(FORMAT_HTTP_HEADERS, headers);
  const oEntry = orders.startSpan('POST:/orders', {
    childOf: parent ?? undefined,
    startTime: t0 + 10,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'express' },
  });
  const db = orders.startSpan('SELECT', {
    childOf: oEntry,
    startTime: t0 + 20,
    tags: {
      [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
      [Tags.COMPONENT]: 'pg',
      [Tags.DB_TYPE]: 'sql',
      [Tags.DB_STATEMENT]: 'SELECT * FROM orders',
      [Tags.PEER_HOSTNAME]: 'postgres',
      [Tags.PEER_PORT]: 5432,
    },
  });
  orders.reportLog({ body: 'loaded 3 orders', level: 'info', logger: 'orders.db', span: db, timestamp: t0 + 50 });
  db.finish(t0 + 60);
  const job = orders.startSpan('send-receipt', {
    references: [opentracing.followsFrom(oEntry.context())],
    startTime: t0 + 70,
  });
  job.finish(t0 + 90);
  oEntry.finish(t0 + 80);
  exit.finish(t0 + 85);
  entry.log({ event: 'checkout done', items: 3 }, t0 + 88);
  entry.finish(t0 + 100);

  const bad = front.startSpan('GET:/broken', {
    startTime: t0 + 200,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'http', [Tags.ERROR]: true },
  });
  bad.finish(t0 + 230);

  const hostile = front.startSpan(XSS_NAME, {
    startTime: t0 + 300,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, 'x.evil': XSS_TAG },
  });
  hostile.log({ event: XSS_TAG }, t0 + 301);
  front.reportLog({ body: XSS_NAME, level: 'warn', span: hostile, timestamp: t0 + 302, tags: { evil: XSS_TAG } });
  hostile.finish(t0 + 310);

  // 2,000 spans in one segment: a root and 1,999 children, some nested
  const root = front.startSpan('GET:/big', {
    startTime: t0 + 400,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER },
  });
  let parentSpan = root;
  for (let i = 1; i < 2000; i++) {
    const s = front.startSpan(`step-${i}`, { childOf: i % 10 === 1 ? root : parentSpan, startTime: t0 + 400 + i / 10 });
    s.finish(t0 + 401 + i / 10);
    parentSpan = i % 10 === 0 ? root : s;
  }
  root.finish(t0 + 700);

  await Promise.all([front.flush(), orders.flush()]);
  await Promise.all([front.shutdown(), orders.shutdown()]);
  return {
    main: entry.context().toTraceId(),
    error: bad.context().toTraceId(),
    hostile: hostile.context().toTraceId(),
    big: root.context().toTraceId(),
  };
}

describe.runIf(HAVE_BROWSER)('the web UI in a real browser', () => {
  let collector: Collector;
  let browser: Browser;
  let page: Page;
  let ids: Awaited<ReturnType<typeof scenario>>;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    ids = await scenario(collector.grpcAddress);
    await collector.waitFor(() => collector.segments().length >= 6 && collector.logs().length >= 2);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  /** Waits until the list shows exactly these traces (a stale page with the same count does not pass), then asserts it. */
  const expectRows = async (expected: string[]): Promise<void> => {
    const rows = () => page.$$eval('tr.trace-row', (r) => r.map((x) => x.getAttribute('data-trace-id')));
    await page
      .waitForFunction(
        (ids) =>
          JSON.stringify([...document.querySelectorAll('tr.trace-row')].map((x) => x.getAttribute('data-trace-id'))) ===
          JSON.stringify(ids),
        expected,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    expect(await rows()).toEqual(expected);
  };

  const open = async (hash: string): Promise<void> => {
    await page.goto(`${collector.httpUrl}/${hash}`);
  };

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${collector.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lists the traces, newest first, and the search filters them', async () => {
    await open('#/traces');
    await page.waitForSelector('#traces');
    const listed = await page.$$eval('tr.trace-row', (rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    expect(listed).toEqual([ids.big, ids.hostile, ids.error, ids.main]);
    await page.screenshot({ path: join(ARTIFACTS, 'traces.png'), fullPage: true });

    await page.check('input[name=error]');
    await page.click('#search button');
    await page.waitForFunction(() => location.hash.includes('error=true'));
    await expectRows([ids.error]);

    await open('#/traces?service=orders');
    await expectRows([ids.main]);

    await open('#/traces?endpoint=GET:/b*');
    await expectRows([ids.big, ids.error]);

    await open('#/traces?minDuration=200');
    await expectRows([ids.big]);

    await open(`#/traces?traceId=${ids.main}`);
    await expectRows([ids.main]);
  });

  it('draws the trace as one waterfall: order, nesting, services, links', async () => {
    await open(`#/trace/${ids.main}`);
    await page.waitForSelector('#waterfall .span-row');
    const rows = await page.$$eval('#waterfall .span-row', (els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-depth')} ${e.querySelector('.wf-service')!.textContent} ${e.querySelector('.wf-op')!.textContent} ${[...e.querySelectorAll('.badge')].map((b) => b.textContent).join('/')}`,
      ),
    );
    expect(rows).toEqual([
      '0 frontend GET:/checkout Entry/Http/http',
      '1 frontend /orders Exit/HttpClient',
      '2 orders POST:/orders Entry/Express/⇢ cross-process',
      '3 orders SELECT Exit/Database/PostgreSQL',
      '3 orders send-receipt Local/⇢ cross-thread',
    ]);
    // the offsets: bars start where the spans start, relative to the trace
    const left = await page.$$eval('#waterfall .wf-bar', (els) => els.map((e) => (e as HTMLElement).style.left));
    expect(left).toEqual(['0%', '5%', '10%', '20%', '70%']);
    await page.click('#waterfall .span-row:nth-child(4)');
    const tags = await page.$$eval('#span-tags tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join('=')),
    );
    expect(tags).toContain('db.statement=SELECT * FROM orders');
    expect(tags).toContain('peer=postgres:5432');
    expect(await page.textContent('.trace-head')).toContain('5 spans in 3 segments');
    const text = await page.textContent('#main');
    expect(text).not.toMatch(/null|undefined|\[object Object\]/);
    // the trace's logs: in their own list, and under the span that wrote them
    expect(
      await page.$$eval('#trace-logs .log-row', (rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent).join(' | ')),
      ),
    ).toEqual([
      expect.stringMatching(/^\S+ \S+ \| orders \| POST:\/orders \| level=info logger=orders\.db \| loaded 3 orders$/),
    ]);
    expect(await page.$$eval('#waterfall .span-row:nth-child(4) .wf-log-mark', (m) => m.length)).toBe(1);
    expect(await page.$$eval('#details .log-row', (rows) => rows.length)).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'trace.png'), fullPage: true });
  });

  it('draws the topology with exactly the expected nodes and edges; a click filters the list', async () => {
    await open('#/topology');
    await page.waitForSelector('#topology .node');
    const nodes = await page.$$eval('#topology .node', (els) =>
      els.map((e) => `${e.getAttribute('data-name')}:${e.getAttribute('class')}`).sort(),
    );
    expect(nodes).toEqual([
      'User:node user',
      'frontend:node service',
      'orders:node service',
      'postgres:5432:node virtual',
    ]);
    const edges = await page.$$eval('#topology .edge-group', (els) =>
      els.map((e) => `${e.getAttribute('data-source')}->${e.getAttribute('data-target')}`).sort(),
    );
    expect(edges).toEqual(['User->frontend', 'frontend->orders', 'orders->postgres:5432']);
    const labels = await page.$$eval('#topology .edge-group', (els) =>
      els
        .map(
          (e) =>
            `${e.getAttribute('data-source')}->${e.getAttribute('data-target')}: ${e.querySelector('.edge-label')!.textContent}`,
        )
        .sort(),
    );
    expect(labels).toEqual([
      'User->frontend: 4 calls · Unknown, http',
      'frontend->orders: 1 call · Express, HttpClient',
      'orders->postgres:5432: 1 call · PostgreSQL',
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'topology.png'), fullPage: true });
    await page.click('#topology .node[data-name="orders"]');
    await page.waitForFunction(() => location.hash === '#/traces?service=orders');
    await expectRows([ids.main]);
  });

  it('shows hostile names, tags and logs as text and runs none of them', async () => {
    await open(`#/trace/${ids.hostile}`);
    await page.waitForSelector('#waterfall .span-row');
    expect(await page.textContent('#waterfall .wf-op')).toBe(XSS_NAME);
    await page.click('#waterfall .span-row');
    const tags = await page.$$eval('#span-tags td', (tds) => tds.map((td) => td.textContent));
    expect(tags).toContain(XSS_TAG);
    expect(await page.$$eval('#span-logs td', (tds) => tds.map((td) => td.textContent))).toContain(`event=${XSS_TAG}`);
    expect(await page.$$eval('#trace-logs .log-row td pre', (p) => p.map((x) => x.textContent))).toEqual([XSS_NAME]);
    expect(await page.$$('img')).toHaveLength(0);
    expect(await page.$$('#main script')).toHaveLength(0);
    await open('#/traces');
    await page.waitForSelector('#traces');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('renders a trace of 2,000 spans in under 2 s of browser time', { timeout: 20_000 }, async () => {
    await open('#/traces');
    await page.waitForSelector('#traces');
    const ms = await page.evaluate(async (id) => {
      const t = performance.now();
      location.hash = `#/trace/${id}`;
      const until = t + 10_000;
      while (document.querySelectorAll('#waterfall .span-row').length < 2000 && performance.now() < until)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      return performance.now() - t;
    }, ids.big);
    expect(await page.$$eval('#waterfall .span-row', (els) => els.length)).toBe(2000);
    expect(ms).toBeLessThan(2000);
    await page.screenshot({ path: join(ARTIFACTS, 'trace-2000.png') });
  });

  it('lists problems with a link to their trace, and logged no console error', async () => {
    await open('#/problems');
    await page.waitForSelector('#problems, #no-problems');
    await page.screenshot({ path: join(ARTIFACTS, 'problems.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
