/**
 * Our gRPC unary call over node:http2 against a real HTTP/2 server that answers as a gRPC server
 * would (or would not): the request it sends, and the status it reads from each kind of answer.
 */
import * as http2 from 'node:http2';
import { type CallStatus, Http2UnaryClient, Status } from '../../src/reporter/http2-unary';
import { raceTimer } from '../support/deadline';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;
const servers: http2.Http2Server[] = [];
const clients: Http2UnaryClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

async function server(handler: Handler): Promise<string> {
  const s = http2.createServer();
  s.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    stream.on('error', () => undefined);
  });
  s.on('session', (session) => session.on('error', () => undefined));
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  servers.push(s);
  return `127.0.0.1:${(s.address() as { port: number }).port}`;
}

function call(
  address: string,
  deadlineMs = 2000,
  headers: Record<string, string> = {},
): Promise<CallStatus & { ms: number }> {
  const client = new Http2UnaryClient(address, false, { ca: undefined, cert: undefined, key: undefined });
  clients.push(client);
  const t0 = Date.now();
  return new Promise((resolve) =>
    client.call(
      '/pkg.Service/Method',
      [Buffer.from([1, 2]), Buffer.from([3])],
      3,
      headers,
      Date.now() + deadlineMs,
      (status) => resolve({ ...status, ms: Date.now() - t0 }),
    ),
  );
}

it('sends one uncompressed gRPC message made of the parts, with the gRPC headers and the metadata', async () => {
  let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
  const address = await server((stream, headers, body) => {
    seen = { headers, body };
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.from([0, 0, 0, 0, 0])); // an empty Commands
  });
  const status = await call(address, 2000, { authentication: 'token-1' });
  expect(status).toMatchObject({ code: Status.OK, details: '' });
  expect(seen!.body).toEqual(Buffer.from([0, 0, 0, 0, 3, 1, 2, 3]));
  expect(seen!.headers).toMatchObject({
    ':method': 'POST',
    ':path': '/pkg.Service/Method',
    'content-type': 'application/grpc',
    te: 'trailers',
    authentication: 'token-1',
  });
  expect(seen!.headers['grpc-timeout']).toMatch(/^(19\d\d|2000)m$/);
  expect(seen!.headers['user-agent']).toMatch(/^skywalking-bridge\//);
});

it('reads a trailers-only refusal, with its percent-encoded message', async () => {
  const address = await server((stream) => {
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'bad%20token' },
      { endStream: true },
    );
  });
  expect(await call(address)).toMatchObject({ code: Status.PERMISSION_DENIED, details: 'bad token' });
});

it('maps an HTTP error without a gRPC status the way gRPC does', async () => {
  const statuses = new Map([
    [503, Status.UNAVAILABLE],
    [404, Status.UNIMPLEMENTED],
    [403, Status.PERMISSION_DENIED],
    [500, Status.UNKNOWN],
  ]);
  for (const [http, grpc] of statuses) {
    const address = await server((stream) => stream.respond({ ':status': http }, { endStream: true }));
    expect(await call(address)).toMatchObject({ code: grpc, details: `HTTP status ${http}` });
  }
});

it('ends with DEADLINE_EXCEEDED at the deadline when the server never answers', async () => {
  const address = await server(() => undefined);
  const pending = call(address, 300);
  // ended by its own deadline: before a timer of five times it, set at the same moment, fires
  expect(await raceTimer(pending, 1500)).toBe('settled');
  const status = await pending;
  expect(status.code).toBe(Status.DEADLINE_EXCEEDED);
  expect(status.ms).toBeGreaterThanOrEqual(290);
});

it('ends with UNAVAILABLE when nothing listens, and when the server resets the stream', async () => {
  const probe = http2.createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((ok) => probe.close(() => ok()));
  expect((await call(`127.0.0.1:${closedPort}`)).code).toBe(Status.UNAVAILABLE);
  const address = await server((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
  expect((await call(address)).code).toBe(Status.UNAVAILABLE);
});
