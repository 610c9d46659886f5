/**
 * docs/delivery.md's example, run for real: with the collector up the segment is sent; with
 * nothing listening the process still reaches the line after `await tracer.shutdown()` and sets
 * its exit code (the segment dropped, counted).
 */
import { join } from 'node:path';
import { type Collector, startCollector } from '../../src/collector';
import { runProcess } from '../support/spawn';
import { refusedServer } from './fault-servers';

const EXAMPLE = join(__dirname, '..', '..', 'examples/docs/delivery-shutdown.js');
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

it('delivery-shutdown.js with the collector up: the segment is sent, exit code 0', async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
  const r = await runProcess(process.execPath, [EXAMPLE], {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
  });
  expect(r).toMatchObject({ code: 0, stdout: '{"queued":0,"sent":1,"dropped":0,"lost":0}\n', stderr: '' });
  expect(collector.segments().map((s) => [s.service, s.spans[0]!.operationName])).toEqual([['orders', 'nightly-job']]);
});

it('delivery-shutdown.js with nothing listening: the code after the await runs, the segment is dropped, exit code 1', async () => {
  const refused = await refusedServer();
  const r = await runProcess(process.execPath, [EXAMPLE], {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: refused.address,
    SW_AGENT_LOGGING_LEVEL: 'error',
  });
  expect(r).toMatchObject({ code: 1, stdout: '{"queued":0,"sent":0,"dropped":1,"lost":0}\n', stderr: '' });
});
