import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type * as grpcTypes from '@grpc/grpc-js';
import { ConfigError, type ResolvedConfig } from '../base/config';
import { shown } from '../base/diag';

/** Channel options: reconnect backoff capped at 5 s like ours (grpc-js defaults to 120 s), no retries of our own streams. */
export const CHANNEL_OPTIONS: grpcTypes.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 1000,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.enable_retries': 0,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

export interface TlsFiles {
  ca: Buffer | undefined;
  key: Buffer | undefined;
  cert: Buffer | undefined;
}

function readPem(path: string, option: string, env: string): Buffer | undefined {
  if (path === '') return undefined;
  // the PEM text itself given where its path belongs: never echo it (it may be a private key)
  if (path.includes('-----BEGIN'))
    throw new ConfigError(
      `skywalking-bridge: ${option} (env ${env}) holds PEM contents (${path.length} characters, not shown), not a file path; write them to a file and give its path.`,
    );
  try {
    return readFileSync(path);
  } catch (e) {
    // the error's message repeats the path; its code says enough
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `skywalking-bridge: cannot read ${option} (env ${env}) ${JSON.stringify(shown(path))}: ${code}; give a readable PEM file.`,
    );
  }
}

/** Read the TLS files once, at construction; an unreadable file is a ConfigError naming it. */
export function readTlsFiles(config: ResolvedConfig): TlsFiles {
  return {
    ca: readPem(config.caPath, 'caPath', 'SW_AGENT_SSL_TRUSTED_CA_PATH'),
    key: readPem(config.keyPath, 'keyPath', 'SW_AGENT_SSL_KEY_PATH'),
    cert: readPem(config.certChainPath, 'certChainPath', 'SW_AGENT_SSL_CERT_CHAIN_PATH'),
  };
}

/** Channel credentials: TLS (system CAs, or the CA file, optional client cert) or plaintext. */
export function credentialsOf(grpc: typeof grpcTypes, secure: boolean, tls: TlsFiles): grpcTypes.ChannelCredentials {
  if (!secure) return grpc.credentials.createInsecure();
  return withoutIpServername(grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null));
}

type ConnectorFactory = (...args: unknown[]) => { connectionOptions?: { servername?: unknown } } | undefined;

/**
 * grpc-js (1.14) passes the target host as the TLS `servername` even when it is an IP address,
 * which SNI forbids (RFC 6066) and Node answers with its DEP0123 warning on the application's
 * stderr. Node wants no servername for an IP: the certificate is then checked against the `host`
 * (its IP SANs), as before. This drops an IP servername from the options grpc-js builds; with
 * another grpc-js shape it changes nothing.
 */
export function withoutIpServername(credentials: grpcTypes.ChannelCredentials): grpcTypes.ChannelCredentials {
  const target = credentials as unknown as { _createSecureConnector?: ConnectorFactory };
  const create = target._createSecureConnector;
  if (typeof create !== 'function') return credentials;
  target._createSecureConnector = function (this: unknown, ...args: unknown[]) {
    const connector = create.apply(this, args);
    const options = connector?.connectionOptions;
    if (options && typeof options.servername === 'string' && isIP(options.servername) !== 0) delete options.servername;
    return connector;
  };
  return credentials;
}

/** Call metadata as HTTP/2 headers: `authentication: <token>` when a token is set (the OAP's check). */
export function callHeadersOf(token: string): Record<string, string> {
  return token === '' ? {} : { authentication: token };
}

/** The same call metadata for grpc-js. */
export function metadataOf(grpc: typeof grpcTypes, token: string): grpcTypes.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(callHeadersOf(token))) md.set(key, value);
  return md;
}

/** Round-robin over the backend list: the current address, and a move to the next on failure. */
export class AddressRing {
  private index = 0;
  constructor(readonly addresses: readonly string[]) {}

  get current(): string {
    return this.addresses[this.index]!;
  }

  /** Move to the next address; returns it. */
  next(): string {
    this.index = (this.index + 1) % this.addresses.length;
    return this.current;
  }
}

/**
 * Wait until `channel` is READY, at most until `deadline` (epoch ms); false at the deadline or once
 * the channel is closed. Unlike grpc-js's `Client.waitForReady`, it never asks a closed channel to
 * connect: that call revives a channel closed while it waits (grpc-js 1.14), and the revived
 * channel's deadline timer then keeps the process alive after shutdown until it fires. Nor does it
 * give grpc-js the deadline: grpc-js would hold it in a timer that keeps the process alive (an
 * application that ends without `shutdown()` while the collector is away stayed ~10 s); the
 * deadline here is an unref'd timer of our own, and the state watch has none.
 */
export function waitUntilReady(
  grpc: typeof grpcTypes,
  channel: Pick<grpcTypes.Channel, 'getConnectivityState' | 'watchConnectivityState'>,
  deadline: number,
  /** Also end (true) in TRANSIENT_FAILURE: a call then fails at once, with grpc-js's reason. */
  orFailed = false,
): Promise<boolean> {
  const { READY, SHUTDOWN, TRANSIENT_FAILURE } = grpc.connectivityState;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (ready: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(ready);
    };
    const check = (error?: Error): void => {
      if (settled) return; // a watch left behind by the deadline: nothing more to do
      try {
        if (error || channel.getConnectivityState(false) === SHUTDOWN) return settle(false);
        const state = channel.getConnectivityState(true);
        if (state === READY || (orFailed && state === TRANSIENT_FAILURE)) return settle(true);
        if (Date.now() >= deadline) return settle(false);
        channel.watchConnectivityState(state, Infinity, check);
      } catch {
        settle(false);
      }
    };
    check();
    if (!settled) {
      timer = setTimeout(() => settle(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    }
  });
}
