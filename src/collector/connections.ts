import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * At most `cap` connections at once. A new client past the cap takes the place of the connection
 * that has been idle longest (no request in flight: a browser's spare keep-alive sockets, a client
 * that connected and said nothing); only when every connection is busy is the new one refused.
 * Returns how many were closed so far, for stats.
 */
export function capConnections(server: Server, cap: number): { closedIdle: () => number; refused: () => number } {
  /** Sockets with no request in flight, in the order they became idle (a Map keeps insertion order). */
  const idle = new Map<Socket, true>();
  const open = new Set<Socket>();
  let closedIdle = 0;
  let refused = 0;
  server.on('connection', (socket: Socket) => {
    if (open.size >= cap) {
      const oldest = idle.keys().next();
      if (oldest.done) {
        refused++;
        socket.destroy();
        return;
      }
      idle.delete(oldest.value);
      open.delete(oldest.value);
      closedIdle++;
      oldest.value.destroy();
    }
    open.add(socket);
    idle.set(socket, true);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
    });
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    const done = () => {
      if (open.has(socket) && !socket.destroyed) idle.set(socket, true);
    };
    res.once('finish', done);
    res.once('close', done);
  });
  return { closedIdle: () => closedIdle, refused: () => refused };
}
