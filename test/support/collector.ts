/**
 * The collector tests' shared pieces: the collectors and gRPC clients a test starts (stopped and
 * closed after each test), a client-streaming `collect` call from a plain grpc-js client, and a
 * raw HTTP request that keeps the status, headers and body as sent.
 */
import { request } from 'node:http';
import type * as grpcTypes from '@grpc/grpc-js';
import { type Collector, startCollector } from '../../src/collector';
import { loadServices } from '../../src/protocol/loader';

export type CollectorOptions = NonNullable<Parameters<typeof startCollector>[0]>;

export const services = loadServices();

/** What a test file uses to start collectors and clients; everything it started ends after each test. */
export interface CollectorHarness {
  /** A collector on ephemeral ports: the file's defaults, then `options`. */
  start(options?: CollectorOptions): Promise<Collector>;
  /** A client of `ctor` at `address`, closed after the test. */
  client(ctor: grpcTypes.ServiceClientConstructor, address: string): grpcTypes.Client;
  /** One client-streaming `collect` call carrying `messages`; resolves with its error, or null. */
  collect(
    ctor: grpcTypes.ServiceClientConstructor,
    address: string,
    messages: unknown[],
    token?: string,
  ): Promise<grpcTypes.ServiceError | null>;
}

type CollectCall = (
  m: grpcTypes.Metadata,
  cb: (e: grpcTypes.ServiceError | null) => void,
) => grpcTypes.ClientWritableStream<unknown>;

/** Registers an afterEach that closes the clients and stops the collectors each test started. */
export function collectorHarness(defaults: CollectorOptions = {}): CollectorHarness {
  const collectors: Collector[] = [];
  const clients: grpcTypes.Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(collectors.splice(0).map((c) => c.stop()));
  });
  const client = (ctor: grpcTypes.ServiceClientConstructor, address: string): grpcTypes.Client => {
    const c = new ctor(address, services.grpc.credentials.createInsecure());
    clients.push(c);
    return c;
  };
  return {
    async start(options = {}) {
      const c = await startCollector({ grpcPort: 0, ...defaults, ...options });
      collectors.push(c);
      return c;
    },
    client,
    collect(ctor, address, messages, token) {
      const md = new services.grpc.Metadata();
      if (token) md.set('authentication', token);
      const c = client(ctor, address) as unknown as { collect: CollectCall };
      return new Promise((done) => {
        const call = c.collect(md, (e) => done(e));
        for (const m of messages) call.write(m);
        call.end();
      });
    },
  };
}

/** An HTTP response as it came. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to `url` + `path`, the answer read whole. */
export function rawRequest(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
