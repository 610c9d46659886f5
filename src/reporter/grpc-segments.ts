import { log } from '../base/diag';
import { segmentOfEntry } from '../segment/encode';
import { contiguous } from './contiguous';
import type { BatchOutcome, Transport } from './delivery';
import { type Clients, type Done, type GrpcConnection, MAX_CALL_BYTES, asIs, ignoreAnswer } from './grpc-connection';
import { type CallStatus, Status } from './http2-unary';
import { withoutTracing } from './suppress';
import { unreachableMessage } from './unreachable';

const COLLECT_PATH = '/skywalking.v3.TraceSegmentReportService/collect';
const COLLECT_IN_SYNC_PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';
/** A batch sent as one `SegmentCollection` stays under gRPC's default receive limit. */
export const MAX_COLLECTION_BYTES = MAX_CALL_BYTES;

/**
 * Segments over gRPC: a batch as one `SegmentCollection` (`collectInSync`: one message for the
 * whole batch, written from the queued entries as they lie in memory), or over grpc-js's `collect`
 * stream (one message per segment) to a backend without `collectInSync` or through a proxy.
 * The queued records are `SegmentCollection` entries (field 1, length, SegmentObject).
 */
export function segmentTransport(connection: GrpcConnection, queued: () => number): Transport {
  let clients: Clients | undefined;
  return {
    async ready(deadline: number): Promise<boolean> {
      clients = await connection.ready(deadline, (address) =>
        log('warn', 'grpc.unavailable', unreachableMessage(address, undefined, queued())),
      );
      return clients !== undefined;
    },
    send(batch: Buffer[], deadline: number): Promise<BatchOutcome> {
      const to = clients;
      if (!to) return Promise.resolve('unsent');
      return new Promise<BatchOutcome>((resolve) => {
        const done: Done = (error) => {
          if (error?.code === Status.UNIMPLEMENTED && !connection.streamOnly.has(to.address)) {
            // an older OAP or a proxy with the stream only: this batch was not taken, send it there
            connection.streamOnly.add(to.address);
            log(
              'info',
              'grpc.stream-only',
              `the collector at ${to.address} has no collectInSync; sending segments over the collect stream`,
            );
            open();
            return;
          }
          if (!error) return resolve('sent');
          connection.explain(error, 'collect', queued());
          if (error.code === Status.UNAVAILABLE) connection.failover(to);
          resolve('lost');
        };
        const open = (): void => {
          try {
            withoutTracing(() => collect(connection, to, batch, deadline, done));
          } catch (e) {
            log('error', 'grpc.collect', `could not open the collect call: ${(e as Error).message}`);
            resolve('lost');
          }
        };
        open();
      });
    },
  };
}

function collect(connection: GrpcConnection, to: Clients, batch: Buffer[], deadline: number, done: Done): void {
  if (connection.proxied || connection.streamOnly.has(to.address)) {
    const call = to.trace.makeClientStreamRequest(
      COLLECT_PATH,
      asIs,
      ignoreAnswer,
      connection.metadata(),
      { deadline },
      done,
    );
    call.on('error', () => undefined);
    for (const entry of batch) call.write(segmentOfEntry(entry));
    call.end();
    return;
  }
  let length = 0;
  for (const entry of batch) length += entry.length;
  to.collector.call(
    COLLECT_IN_SYNC_PATH,
    contiguous(batch),
    length,
    connection.headers,
    deadline,
    (status: CallStatus) => done(status.code === Status.OK ? null : status),
  );
}
