import { log } from '../base/diag';
import { loadServices } from '../protocol/loader';
import { contiguous } from './contiguous';
import type { BatchOutcome, Transport } from './delivery';
import { type Clients, type Done, type GrpcConnection, MAX_CALL_BYTES, asIs, ignoreAnswer } from './grpc-connection';
import { type CallStatus, Status } from './http2-unary';
import { withoutTracing } from './suppress';

const LOG_COLLECT_PATH = '/skywalking.v3.LogReportService/collect';
/** A queued record starts with its gRPC frame (`encodeLogData(…, true)`): 5 bytes. */
export const FRAME = 5;
/** A batch (one `collect` call: one HTTP/2 request body, or one grpc-js stream behind a proxy) carries at most this many bytes of records. */
export const MAX_LOG_BATCH_BYTES = MAX_CALL_BYTES;

/**
 * Log records over `LogReportService/collect` (a client stream of `LogData`, answered with
 * `Commands`), on the segment reporter's connection (same backend, token, TLS and failover). The
 * queued records are framed (`encodeLogData(…, true)`): a batch is one request body as the records
 * lie in the writer's chunks, or, behind a proxy, one grpc-js stream write per record.
 */
export function logTransport(connection: GrpcConnection, queued: () => number): Transport {
  let clients: Clients | undefined;
  return {
    async ready(deadline: number): Promise<boolean> {
      clients = await connection.ready(deadline, (address) =>
        log(
          'warn',
          'logs.unavailable',
          `cannot connect to the SkyWalking collector at ${address}; ${queued()} log record(s) queued, retrying with backoff`,
        ),
      );
      return clients !== undefined;
    },
    send(batch: Buffer[], deadline: number): Promise<BatchOutcome> {
      const to = clients;
      if (!to) return Promise.resolve('unsent');
      return new Promise<BatchOutcome>((resolve) => {
        const done: Done = (error) => {
          if (!error) return resolve('sent');
          if (error.code === Status.UNAVAILABLE || error.code === Status.DEADLINE_EXCEEDED) {
            log(
              'warn',
              'logs.unavailable',
              `log records to ${to.address} failed (${error.details || loadServices().grpc.status[error.code]}): ${batch.length} lost, ${queued()} queued, retrying with backoff`,
            );
          } else {
            connection.explain(error, 'logs', queued());
          }
          if (error.code === Status.UNAVAILABLE) connection.failover(to);
          resolve('lost');
        };
        try {
          withoutTracing(() => collectLogs(connection, to, batch, deadline, done));
        } catch (e) {
          log('error', 'logs.collect', `could not open the log collect call: ${(e as Error).message}`);
          resolve('lost');
        }
      });
    },
  };
}

function collectLogs(connection: GrpcConnection, to: Clients, batch: Buffer[], deadline: number, done: Done): void {
  if (!connection.proxied) {
    let length = 0;
    for (const record of batch) length += record.length;
    to.collector.call(
      LOG_COLLECT_PATH,
      contiguous(batch),
      length,
      connection.headers,
      deadline,
      (status: CallStatus) => done(status.code === Status.OK ? null : status),
      true,
    );
    return;
  }
  const client = connection.logClient(to);
  if (!client) throw new Error('no log client');
  const call = client.makeClientStreamRequest(
    LOG_COLLECT_PATH,
    asIs,
    ignoreAnswer,
    connection.metadata(),
    { deadline },
    done,
  );
  call.on('error', () => undefined);
  for (const record of batch) call.write(record.subarray(FRAME)); // grpc-js frames each message
  call.end();
}
