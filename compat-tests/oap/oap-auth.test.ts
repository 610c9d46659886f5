/**
 * A real OAP 10.1.0 started with SW_AUTHENTICATION: our tracer with the right token gets in (the
 * trace is queryable through GraphQL); one with a wrong token is refused, says so once with the
 * hint, backs off, and nothing it sent is stored.
 */
import * as opentracing from 'opentracing';
import { resetDiagnostics, setLogger } from '../../src/base/diag';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startOap } = require('./oap.js') as typeof import('./oap.js');
/* eslint-enable @typescript-eslint/no-require-imports */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a real OAP demanding a token', () => {
  let oap: Awaited<ReturnType<typeof startOap>>;
  const logged: string[] = [];

  beforeAll(async () => {
    oap = await startOap({ authentication: 'right-token' });
    resetDiagnostics();
    const push =
      (level: string) =>
      (message: string): void =>
        void logged.push(`${level} ${message}`);
    setLogger({ error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') });
  }, 300_000);

  afterAll(async () => {
    setLogger(undefined);
    await oap?.stop();
  }, 60_000);

  function traceOnce(tracer: SkyWalkingTracer, service: string): string {
    const span = tracer.startSpan('GET:/auth', {
      tags: {
        [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_SERVER,
        [opentracing.Tags.COMPONENT]: 'http',
      },
    });
    span.setTag('test.service', service);
    span.finish();
    return span.context().toTraceId();
  }

  async function queryTrace(traceId: string): Promise<Array<{ serviceCode: string; endpointName: string }>> {
    const data = await oap.graphql(
      'query($id: ID!) { queryTrace(traceId: $id) { spans { serviceCode endpointName } } }',
      { id: traceId },
    );
    return data.queryTrace.spans;
  }

  it('accepts segments from a tracer with the right token', async () => {
    const tracer = new SkyWalkingTracer({
      serviceName: 'auth-right',
      collectorAddress: oap.grpcAddress,
      authentication: 'right-token',
    });
    const traceId = traceOnce(tracer, 'auth-right');
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ sent: 1, failedBatches: 0, dropped: 0, lost: 0 });
    let spans: Array<{ serviceCode: string; endpointName: string }> = [];
    for (let i = 0; i < 30 && spans.length === 0; i++) {
      spans = await queryTrace(traceId);
      if (!spans.length) await sleep(1000);
    }
    expect(spans).toEqual([{ serviceCode: 'auth-right', endpointName: 'GET:/auth' }]);
    await tracer.shutdown();
    expect(logged.filter((m) => m.includes('refused'))).toEqual([]);
  }, 60_000);

  it('refuses a wrong token: one clear line, backoff, nothing stored', async () => {
    const tracer = new SkyWalkingTracer({
      serviceName: 'auth-wrong',
      collectorAddress: oap.grpcAddress,
      authentication: 'wrong-token',
    });
    const ids: string[] = [];
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      ids.push(traceOnce(tracer, 'auth-wrong'));
      await sleep(100);
    }
    const refusals = logged.filter((m) => m.includes('refused us'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain(`the collector at ${oap.grpcAddress} refused us`);
    expect(refusals[0]).toContain('SW_AGENT_AUTHENTICATION');
    const stats = tracer.stats();
    expect(stats.sent).toBe(0);
    // backoff (1 s, 2 s, ...), not one attempt per flush interval
    expect(stats.failedBatches).toBeGreaterThanOrEqual(1);
    expect(stats.failedBatches).toBeLessThanOrEqual(3);
    await sleep(5000);
    for (const id of ids.slice(0, 3)) expect(await queryTrace(id)).toEqual([]);
    await tracer.shutdown();
  }, 60_000);
});
