/**
 * The worker thread of `skywalkingDestination` (src/pino/destination.ts): takes the batches of
 * pino lines the application thread posts, reports them (`pinoLineWorker`), and gives back the
 * characters of each batch once its lines are handed on, in the shared counter that bounds the
 * lines in flight. Answers `stats` and `close` messages; at close sets the done flag the
 * application thread may wait on at exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pinoLineWorker } from './line-worker';
import type { SkyWalkingPinoTransportOptions } from './options';

interface DestinationWorkerData {
  options: SkyWalkingPinoTransportOptions;
  /** [0]: characters posted and not yet handed on; [1]: 1 once closed. */
  state: SharedArrayBuffer;
}

const data = workerData as DestinationWorkerData;
const state = new Int32Array(data.state);
const worker = pinoLineWorker(data.options, (chars) => Atomics.sub(state, 0, chars), true);
const port = parentPort!;

port.on('message', (m: unknown) => {
  if (typeof m === 'string') {
    worker.sink.push(m);
    return;
  }
  const msg = m as { type?: string; id?: number };
  if (msg?.type === 'stats') port.postMessage({ type: 'stats', id: msg.id, stats: worker.stats() });
  else if (msg?.type === 'flush') {
    void worker.sink
      .drained()
      .then(() => worker.bridge.flush())
      .then(() => port.postMessage({ type: 'stats', id: msg.id, stats: worker.stats() }));
  } else if (msg?.type === 'close') {
    void worker.close().then((stats) => {
      port.postMessage({ type: 'stats', id: msg.id, stats });
      Atomics.store(state, 1, 1);
      Atomics.notify(state, 1);
      port.close();
    });
  }
});
