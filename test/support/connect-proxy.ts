import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';

/** An HTTP CONNECT proxy on 127.0.0.1 (what grpc-js uses for `grpc_proxy`): the tunnels it opened, by target. */
export interface ConnectProxy {
  url: string;
  tunnels: string[];
  close(): void;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const proxy: Server = createServer();
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    tunnels,
    close() {
      proxy.closeAllConnections();
      proxy.close();
    },
  };
}
