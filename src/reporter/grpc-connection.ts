import type * as grpcTypes from '@grpc/grpc-js';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { loadServices } from '../protocol/loader';
import {
  AddressRing,
  CHANNEL_OPTIONS,
  type TlsFiles,
  callHeadersOf,
  credentialsOf,
  metadataOf,
  readTlsFiles,
  waitUntilReady,
} from './channel';
import { Http2UnaryClient } from './http2-unary';
import { withoutTracing } from './suppress';
import { failedCallMessage, unreachableMessage } from './unreachable';

/** The clients of one backend: they share one channel. */
/**
 * A call's body stays under gRPC's default receive limit (4 MiB), so a proxy that keeps the default
 * takes it too (the OAP takes 50 MiB): a batch of segments or log records is cut there; a bigger
 * record goes alone.
 */
export const MAX_CALL_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** The records are encoded already: grpc-js's streams write each one's bytes as they are. */
export const asIs = (bytes: Buffer): Buffer => bytes;
/** The answer (`Commands`) is not used; grpc-js needs a non-null value to know one arrived. */
const NO_COMMANDS = Object.freeze({});
export const ignoreAnswer = (): object => NO_COMMANDS;
/** How a call ends: `null`, or the gRPC status code and details. */
export type Done = (error: { code: number; details?: string } | null) => void;

export interface Clients {
  address: string;
  /** The channel: connectivity, and the `collect` streams where they are needed. */
  trace: grpcTypes.Client;
  management: grpcTypes.Client;
  /** `collectInSync` and the log batches: one request body per batch, written without a copy. */
  collector: Http2UnaryClient;
  /** `LogReportService`, made on first use (behind a proxy only). */
  logs?: grpcTypes.Client;
}

/** grpc-js honours these (our own http2 calls do not): with one set, batches go over grpc-js's streams. */
const PROXY_ENV = ['grpc_proxy', 'https_proxy', 'http_proxy'];

/**
 * The gRPC reporter's link to the OAP, shared by its segments, logs and heartbeat: the backend
 * list (round robin, a move on failure), the clients of the current backend (made on first use),
 * the call headers (token) and one explanation per condition. Never throws.
 */
export class GrpcConnection {
  private readonly ring: AddressRing;
  private readonly tls: TlsFiles;
  private clients: Clients | undefined;
  private closed = false;
  /** Call metadata for our own http2 calls (what `metadata()` gives grpc-js). */
  readonly headers: Record<string, string>;
  /** A proxy is configured for grpc-js: every batch goes over its streams. */
  readonly proxied = PROXY_ENV.some((name) => (process.env[name] ?? '') !== '');
  /** Backends that answered UNIMPLEMENTED to `collectInSync`: they get the `collect` stream. */
  readonly streamOnly = new Set<string>();

  constructor(readonly config: ResolvedConfig) {
    this.ring = new AddressRing(config.collectorAddresses);
    this.tls = readTlsFiles(config);
    this.headers = callHeadersOf(config.authentication);
  }

  get address(): string {
    return this.clients?.address ?? this.ring.current;
  }

  metadata(): grpcTypes.Metadata {
    return metadataOf(loadServices().grpc, this.config.authentication);
  }

  /** The clients of the current backend, created on first use. */
  connect(): Clients | undefined {
    if (this.closed) return undefined;
    const address = this.ring.current;
    if (this.clients?.address === address) return this.clients;
    this.closeClients();
    try {
      const { grpc, TraceSegmentReportService, ManagementService } = loadServices();
      const credentials = credentialsOf(grpc, this.config.secure, this.tls);
      const trace = withoutTracing(() => new TraceSegmentReportService(address, credentials, CHANNEL_OPTIONS));
      // share the channel between the services
      const management = withoutTracing(
        () => new ManagementService(address, credentials, { ...CHANNEL_OPTIONS, channelOverride: trace.getChannel() }),
      );
      const collector = new Http2UnaryClient(address, this.config.secure, this.tls);
      this.clients = { address, trace, management, collector };
      return this.clients;
    } catch (e) {
      log('error', 'grpc.client', `cannot create the gRPC client for ${address}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** `LogReportService` on the channel of `clients` (made once). */
  logClient(clients: Clients): grpcTypes.Client | undefined {
    if (clients.logs) return clients.logs;
    try {
      const { grpc, LogReportService } = loadServices();
      const credentials = credentialsOf(grpc, this.config.secure, this.tls);
      clients.logs = withoutTracing(
        () =>
          new LogReportService(clients.address, credentials, {
            ...CHANNEL_OPTIONS,
            channelOverride: clients.trace.getChannel(),
          }),
      );
      return clients.logs;
    } catch (e) {
      log('error', 'logs.client', `cannot create the log client for ${clients.address}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * The clients once their channel is READY, at most until `deadline`; undefined when not
   * (`unreachable` says so; the next backend is tried next time).
   */
  async ready(deadline: number, unreachable: (address: string) => void): Promise<Clients | undefined> {
    const clients = this.connect();
    if (!clients) return undefined;
    const { grpc } = loadServices();
    const channel = clients.trace.getChannel();
    if (channel.getConnectivityState(true) !== grpc.connectivityState.READY) {
      if (!(await waitUntilReady(grpc, channel, deadline))) {
        if (this.closed) return undefined; // shut down meanwhile: nothing to say
        unreachable(clients.address);
        this.failover(clients);
        return undefined;
      }
    }
    return this.clients === clients ? clients : undefined;
  }

  /** The backend of `clients` failed: move to the next one (unless another failure moved on already). */
  failover(clients: Clients): void {
    if (this.clients !== clients || this.ring.addresses.length < 2) return;
    this.ring.next();
    this.closeClients();
  }

  /** One line per condition (rate-limited by key), with what to change. */
  explain(error: { code: number; details?: string }, what: string, queued: number): void {
    const { status } = loadServices().grpc;
    const address = this.address;
    if (error.code === status.PERMISSION_DENIED || error.code === status.UNAUTHENTICATED) {
      log(
        'error',
        'grpc.permission-denied',
        `the collector at ${address} refused us (${error.details || status[error.code]}): the OAP checks a token; set option \`authentication\` / env SW_AGENT_AUTHENTICATION to the OAP's SW_AUTHENTICATION value`,
        10 * 60_000,
      );
    } else if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
      log('warn', 'grpc.unavailable', unreachableMessage(address, error.details || status[error.code], queued));
    } else {
      log(
        'warn',
        `grpc.error.${what}`,
        failedCallMessage(what, address, String(status[error.code] ?? error.code), error.details),
      );
    }
  }

  /** Release the clients; later calls get none. */
  close(): void {
    this.closed = true;
    this.closeClients();
  }

  private closeClients(): void {
    const clients = this.clients;
    if (!clients) return;
    this.clients = undefined;
    for (const client of [clients.logs, clients.management, clients.trace, clients.collector]) {
      try {
        client?.close();
      } catch {
        // already closed
      }
    }
  }
}
