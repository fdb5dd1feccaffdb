import type { GatewaySocket } from './session.ts';

/**
 * Pushes and answers a node may hold for one connection that does not read them (engine.io queues them in
 * the connection's write buffer while the previous write waits on a full TCP window). Past either bound the
 * connection is closed at once, its queue discarded, and the device resyncs from its version when it
 * reconnects. A reading client never comes close: the buffer is flushed on every write callback.
 */
export const MAX_PENDING_PACKETS = 1000;
/** Bytes queued for one connection (engine.io's write buffer plus the batch the transport is writing). */
export const MAX_PENDING_BYTES = 1024 * 1024;
/** Bytes queued for all connections of a node together. */
export const MAX_NODE_PENDING_BYTES = 64 * 1024 * 1024;
/** Past the node bound, only connections holding at least this much are cut (not the one that just wrote). */
const NODE_CUT_MIN_BYTES = 64 * 1024;

export interface SendBudget {
  /** Bytes queued on this node now, all connections together. */
  readonly pendingBytes: number;
}

export interface SendBufferLimits {
  maxPackets: number;
  maxBytes: number;
  nodeMaxBytes: number;
}

export const DEFAULT_SEND_LIMITS: SendBufferLimits = { maxPackets: MAX_PENDING_PACKETS, maxBytes: MAX_PENDING_BYTES, nodeMaxBytes: MAX_NODE_PENDING_BYTES };

type Packet = { type: string; data?: unknown };

function sizeOf(packet: Packet): number {
  const data = packet.data;
  if (typeof data === 'string') return Buffer.byteLength(data) + 1;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength + 1;
  return 1;
}

export interface SendBufferCutOff {
  packets: number;
  bytes: number;
  /** `connection`: this connection's own bound; `node`: the node's total. */
  bound: 'connection' | 'node';
}

/** One budget per node; `guard` puts a connection under it. */
export function createSendBudget(limits: SendBufferLimits = DEFAULT_SEND_LIMITS): SendBudget & {
  guard(socket: GatewaySocket, onCutOff: (cut: SendBufferCutOff) => void): void;
} {
  let nodeBytes = 0;
  return {
    get pendingBytes() {
      return nodeBytes;
    },
    guard(socket, onCutOff) {
      const conn = socket.conn;
      // engine.io keeps `writeBuffer` private in its types; it has been the connection's send queue since 1.x.
      const queue = conn as unknown as { writeBuffer: Packet[]; transport: { on(e: 'drain', f: () => void): void } };
      let queued = 0;
      let inFlight = 0;
      let cut = false;
      const settle = (bytes: number) => {
        nodeBytes -= bytes;
      };
      const cutOff = (bound: SendBufferCutOff['bound']) => {
        cut = true;
        onCutOff({ packets: queue.writeBuffer.length, bytes: queued + inFlight, bound });
        settle(queued + inFlight);
        queued = 0;
        inFlight = 0;
        // `discard`: close now, without waiting for a drain that a client which stopped reading never gives.
        conn.close(true);
      };
      conn.on('packetCreate', (packet: Packet) => {
        if (cut) return;
        const size = sizeOf(packet);
        queued += size;
        nodeBytes += size;
        const mine = queued + inFlight;
        if (queue.writeBuffer.length + 1 > limits.maxPackets || mine > limits.maxBytes) cutOff('connection');
        else if (nodeBytes > limits.nodeMaxBytes && mine >= NODE_CUT_MIN_BYTES) cutOff('node');
      });
      // The batch handed to the transport stays in memory until the transport says it was written.
      conn.on('flush', () => {
        inFlight += queued;
        queued = 0;
      });
      queue.transport.on('drain', () => {
        settle(inFlight);
        inFlight = 0;
      });
      conn.once('close', () => {
        if (cut) return;
        cut = true;
        settle(queued + inFlight);
        queued = 0;
        inFlight = 0;
      });
    },
  };
}
