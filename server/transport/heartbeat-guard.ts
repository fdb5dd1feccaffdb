import type { GatewaySocket } from './session.ts';

type Packet = { type: string };

/**
 * engine.io takes any pong as life, even one that answers no ping: a client that never reads (so never sees
 * a ping) could keep its connection, and the node's queue for it, alive forever by sending pongs blindly.
 * socket.io-client answers each ping it has read with one pong, so more pongs than pings handed to the
 * transport is a client lying about reading: its connection is closed.
 */
export function guardHeartbeat(socket: GatewaySocket, onViolation: () => void): void {
  const conn = socket.conn;
  let pings = 0;
  let pongs = 0;
  let closed = false;
  conn.on('flush', (buffer: Packet[]) => {
    for (const packet of buffer) if (packet.type === 'ping') pings += 1;
  });
  conn.on('packet', (packet: Packet) => {
    if (packet.type !== 'pong' || closed) return;
    pongs += 1;
    if (pongs <= pings) return;
    closed = true;
    onViolation();
    conn.close(true);
  });
}
