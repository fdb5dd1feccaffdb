import type { GatewaySocket } from './session.ts';

/**
 * Pushes a node may hold for one socket that does not read them (engine.io queues them in the connection's
 * write buffer while the previous write waits on a full TCP window). Past it the connection is closed at
 * once, its queue discarded: memory per slow consumer stays bounded (~1,000 pushes, well under 1 MB), and the
 * device resyncs from its version when it reconnects. A reading client never comes close: the buffer is
 * flushed on every write callback.
 */
export const MAX_PENDING_PACKETS = 1000;

/** Closes `socket`'s connection when its unsent packets pass `maxPackets`; calls `onCutOff` once. */
export function guardSendBuffer(socket: GatewaySocket, onCutOff: (pending: number) => void, maxPackets = MAX_PENDING_PACKETS): void {
  const conn = socket.conn;
  // engine.io keeps `writeBuffer` private in its types; it has been the connection's send queue since 1.x.
  const queue = conn as unknown as { writeBuffer: unknown[] };
  let cut = false;
  conn.on('packetCreate', () => {
    const pending = queue.writeBuffer.length;
    if (cut || pending <= maxPackets) return;
    cut = true;
    onCutOff(pending);
    // `discard`: close now, without waiting for a drain that a client which stopped reading never gives.
    conn.close(true);
  });
}
