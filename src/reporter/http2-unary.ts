/*
 * Kept after measuring it against grpc-js's own unary call (issue #17, bench/RESULTS.md "http2-unary
 * or grpc-js's unary call", 2026-12-01): for the same batches of encoded segments it costs 0.56-0.62x
 * grpc-js's CPU per call (10 and 500 segments a call), and end to end the OpenTracing pipeline's app
 * CPU per span was 0.85x (6 processes each, alternating) and 0.96x (3 each, loaded machine) of the
 * same reporter sending through grpc-js, with 1.06-1.36x the throughput and ~0.75x the peak RSS in a
 * burst: grpc-js needs one buffer per message (a concat of non-adjacent entries) and copies it again
 * to frame it. That earns the second connection per OAP (closed after 30 s without calls). Costs
 * carried: no HTTP proxy (segments take grpc-js's `collect` stream then) and readiness is read from
 * the grpc-js channel, not from this session.
 */
import * as http2 from 'node:http2';
import type { TlsFiles } from './channel';
import { VERSION } from './version';

/** The gRPC status codes this transport produces or reads (the numbers are the protocol's). */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export interface CallStatus {
  code: number;
  details: string;
}

/** gRPC's mapping of an HTTP status without a gRPC status (the HTTP to gRPC status table). */
function statusOfHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return Status.INTERNAL;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Status.UNAVAILABLE;
    default:
      return Status.UNKNOWN;
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodeMessage(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A session with no call for this long is closed, so a later call never meets a connection a middlebox dropped. */
const IDLE_CLOSE_MS = 30_000;
const USER_AGENT = `skywalking-bridge/${VERSION} (node:http2)`;

/**
 * gRPC calls over Node's own `http2`, one request body per call, for the segment and log batches:
 * `collectInSync` (a unary call: the batch is one `SegmentCollection`) and the log `collect` stream
 * (a client stream sent whole: every record a framed message, `framed`). The body is written from
 * the caller's buffers as they are (the encoded records lie in the encoder's memory in wire form
 * already), where grpc-js would copy each message once more.
 * One session per backend, held open while calls run and closed when idle; a call always ends in
 * exactly one `done` with a gRPC status, never a throw.
 */
export class Http2UnaryClient {
  private session: http2.ClientHttp2Session | undefined;
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly address: string,
    private readonly secure: boolean,
    private readonly tls: TlsFiles,
  ) {}

  private connect(): http2.ClientHttp2Session {
    const live = this.session;
    if (live && !live.closed && !live.destroyed) return live;
    const authority = `${this.secure ? 'https' : 'http'}://${this.address}`;
    const session = this.secure
      ? http2.connect(authority, { ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key })
      : http2.connect(authority);
    // errors reach each call through its stream; a broken session is replaced at the next call
    session.on('error', () => undefined);
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    session.unref();
    this.session = session;
    return session;
  }

  /**
   * POST `path` with a body of `length` bytes made of `parts` (one gRPC message, uncompressed),
   * `headers` as call metadata, ending by `deadline` (epoch ms). `framed`: the parts are already
   * whole gRPC messages, each with its own 5-byte prefix (a client stream's request body).
   */
  call(
    path: string,
    parts: readonly Buffer[],
    length: number,
    headers: Record<string, string>,
    deadline: number,
    done: (status: CallStatus) => void,
    framed = false,
  ): void {
    let settled = false;
    // read by `finish`, which can run before the timer is set (a failed connect): not a const
    let timer: NodeJS.Timeout | undefined = undefined;
    let stream: http2.ClientHttp2Stream | undefined;
    let session: http2.ClientHttp2Session | undefined;
    const finish = (status: CallStatus): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (--this.active === 0) this.idle();
      done(status);
    };
    this.active++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    try {
      session = this.connect();
      session.ref(); // a call in flight keeps the process up, as grpc-js does
      const timeoutMs = Math.max(1, Math.ceil(deadline - Date.now()));
      stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.min(timeoutMs, 99_999_999)}m`,
        'user-agent': USER_AGENT,
        ...headers,
      });
    } catch (e) {
      finish({ code: Status.UNAVAILABLE, details: (e as Error).message });
      return;
    }
    const req = stream;
    timer = setTimeout(
      () => {
        finish({ code: Status.DEADLINE_EXCEEDED, details: 'deadline exceeded' });
        req.close(http2.constants.NGHTTP2_CANCEL);
      },
      Math.max(1, deadline - Date.now()),
    );
    timer.unref();

    let httpStatus = 0;
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    let failure = '';
    const readStatus = (h: http2.IncomingHttpHeaders): void => {
      const code = headerText(h['grpc-status']);
      if (code === undefined) return;
      const n = Number(code);
      grpcStatus = Number.isInteger(n) && n >= 0 && n <= 16 ? n : Status.UNKNOWN;
      grpcMessage = decodeMessage(headerText(h['grpc-message']));
    };
    req.on('response', (h) => {
      httpStatus = Number(h[':status']) || 0;
      readStatus(h); // a trailers-only answer carries its status here
    });
    req.on('trailers', readStatus);
    req.on('data', () => undefined); // the answer (`Commands`) is not used
    req.on('error', (e: Error) => {
      failure = e.message;
    });
    req.on('close', () => {
      if (grpcStatus !== undefined) finish({ code: grpcStatus, details: grpcMessage });
      else if (httpStatus !== 0 && httpStatus !== 200)
        finish({ code: statusOfHttp(httpStatus), details: `HTTP status ${httpStatus}` });
      else
        finish({
          code: Status.UNAVAILABLE,
          details: failure || `the call ended without a gRPC status (HTTP/2 code ${req.rstCode ?? 'none'})`,
        });
    });

    req.cork();
    if (!framed) {
      const prefix = Buffer.allocUnsafe(5);
      prefix[0] = 0; // not compressed
      prefix.writeUInt32BE(length, 1);
      req.write(prefix);
    }
    for (const part of parts) req.write(part);
    req.uncork();
    req.end();
  }

  private idle(): void {
    const session = this.session;
    if (!session) return;
    session.unref();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active === 0) this.close();
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const session = this.session;
    this.session = undefined;
    try {
      // a call still running was given up by the reporter (shutdown): do not wait for it
      if (this.active > 0) session?.destroy();
      else session?.close();
    } catch {
      // closed already
    }
  }
}
