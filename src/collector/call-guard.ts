import type * as grpcTypes from '@grpc/grpc-js';
import { tokenMatches } from './auth';
import type { CallGuards } from './agent-services';

type Callback = grpcTypes.sendUnaryData<unknown>;
/** The collector's answer to every agent call: no commands. */
export const EMPTY_COMMANDS = { commands: [] };

/** The OAP's answer to a call without the right `Authentication` metadata. */
function refused(
  grpc: typeof grpcTypes,
  metadata: grpcTypes.Metadata,
  token: string | undefined,
): grpcTypes.ServiceError | null {
  if (!token) return null;
  const got = metadata.get('authentication')[0];
  if (tokenMatches(typeof got === 'string' ? got : undefined, token)) return null;
  const err = new Error('The token is not valid') as grpcTypes.ServiceError;
  err.code = grpc.status.PERMISSION_DENIED;
  err.details = 'The token is not valid';
  err.metadata = new grpc.Metadata();
  return err;
}

/**
 * How the collector's gRPC server answers a call: PERMISSION_DENIED without the token (a stream is
 * drained), INTERNAL when a handler throws (counted through `onError`; the server goes on), else
 * the empty Commands. Methods are bound (handed to addAgentServices as they are).
 */
export class CallGuard implements CallGuards {
  constructor(
    private readonly grpc: typeof grpcTypes,
    private readonly token: string | undefined,
    private readonly onError: (where: string, error: unknown) => void,
  ) {}

  /** The refusal for a call without the token, else null. */
  readonly denied = (metadata: grpcTypes.Metadata): grpcTypes.ServiceError | null =>
    refused(this.grpc, metadata, this.token);

  /** Count the failure and build INTERNAL's answer. */
  readonly internal = (where: string, e: unknown): grpcTypes.ServiceError => {
    this.onError(where, e);
    const err = new Error('internal error') as grpcTypes.ServiceError;
    err.code = this.grpc.status.INTERNAL;
    err.details = 'internal error';
    err.metadata = new this.grpc.Metadata();
    return err;
  };

  /** A unary call: refused without the token, else `work(request)`; a throw answers INTERNAL. */
  readonly unary = <T>(
    where: string,
    call: grpcTypes.ServerUnaryCall<T, unknown>,
    callback: Callback,
    work: (request: T) => void,
  ): void => {
    const denied = this.denied(call.metadata);
    if (denied) return callback(denied);
    try {
      work(call.request);
      callback(null, EMPTY_COMMANDS);
    } catch (e) {
      callback(this.internal(where, e));
    }
  };

  /** A client stream: refused (drained) without the token, else each message to `onData`. */
  readonly stream = <T>(
    call: grpcTypes.ServerReadableStream<T, unknown>,
    callback: Callback,
    onData: (message: T) => void,
  ): void => {
    const denied = this.denied(call.metadata);
    call.on('error', () => undefined);
    if (denied) {
      call.on('data', () => undefined);
      callback(denied);
      return;
    }
    let failed = false;
    call.on('data', (message: T) => {
      if (failed) return;
      try {
        onData(message);
      } catch (e) {
        failed = true;
        callback(this.internal('stream', e));
      }
    });
    call.on('end', () => {
      if (!failed) callback(null, EMPTY_COMMANDS);
    });
  };
}
