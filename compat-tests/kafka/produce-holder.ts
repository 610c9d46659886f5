/**
 * A slow Kafka broker made of a real one: a TCP proxy on 127.0.0.1 (port 0) in front of a broker
 * listener whose metadata names the proxy (broker.js `advertisedProxyPort`), so a client that
 * bootstraps here sends everything through it. It reads the Kafka frames both ways (a 4-byte
 * length, then the body): requests pass at once, their api key and correlation id noted; a
 * response to a Produce request (api key 0) is held, while `hold()` is on, until `release()`.
 * Every other answer (metadata, versions) passes, so the client reaches the point of producing, the
 * broker appends the records, and only its acknowledgement is late. (The client matches answers by
 * correlation id, so the answers that pass ahead of a held one are taken in any order.)
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const PRODUCE_API_KEY = 0;
/** Frame offsets: request = length, api key (int16), api version (int16), correlation id; response = length, correlation id. */
const REQUEST_API_KEY_AT = 4;
const REQUEST_CORRELATION_AT = 8;
const RESPONSE_CORRELATION_AT = 4;

export interface ProduceHolder {
  /** The proxy's port (advertise it: broker.js `advertisedProxyPort`). */
  readonly port: number;
  /** The proxy's address, a client's bootstrap server. */
  readonly address: string;
  /** Where connections go (the broker's `proxiedTarget`); set before a client connects. */
  setTarget(hostPort: string): void;
  /** From now on, hold every Produce answer until `release()`. */
  hold(): void;
  /** Pass the held answers on (to the clients still connected) and stop holding. */
  release(): void;
  /** Produce answers held now. */
  held(): number;
  /** Resolves once `n` Produce answers are held. */
  waitForHeld(n: number): Promise<void>;
  /** Close the proxy and every connection through it. */
  stop(): Promise<void>;
}

/** Splits a byte stream into whole Kafka frames (length prefix included). */
class FrameSplitter {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    while (this.buffered.length >= 4) {
      const size = 4 + this.buffered.readInt32BE(0);
      if (this.buffered.length < size) break;
      frames.push(this.buffered.subarray(0, size));
      this.buffered = this.buffered.subarray(size);
    }
    return frames;
  }
}

interface Held {
  client: Socket;
  frame: Buffer;
}

export async function startProduceHolder(): Promise<ProduceHolder> {
  let target: { host: string; port: number } | undefined;
  let holding = false;
  let held: Held[] = [];
  const heldWaiters: { n: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();

  const noteHeld = (): void => {
    for (const w of heldWaiters.filter((w) => held.length >= w.n)) {
      heldWaiters.splice(heldWaiters.indexOf(w), 1);
      w.resolve();
    }
  };

  const onConnection = (client: Socket): void => {
    if (!target) return void client.destroy();
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    /** Correlation ids of this connection's Produce requests not answered yet. */
    const produces = new Set<number>();
    const requests = new FrameSplitter();
    const responses = new FrameSplitter();
    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        if (frame.length >= REQUEST_CORRELATION_AT + 4 && frame.readInt16BE(REQUEST_API_KEY_AT) === PRODUCE_API_KEY)
          produces.add(frame.readInt32BE(REQUEST_CORRELATION_AT));
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of responses.push(chunk)) {
        const correlation = frame.readInt32BE(RESPONSE_CORRELATION_AT);
        const isProduce = produces.delete(correlation);
        if (isProduce && holding) {
          held.push({ client, frame });
          noteHeld();
        } else client.write(frame);
      }
    });
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    setTarget(hostPort) {
      const at = hostPort.lastIndexOf(':');
      target = { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const out = held;
      held = [];
      for (const h of out) if (!h.client.destroyed) h.client.write(h.frame);
    },
    held: () => held.length,
    waitForHeld: (n) =>
      new Promise<void>((resolve) => {
        heldWaiters.push({ n, resolve });
        noteHeld();
      }),
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
