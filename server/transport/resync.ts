import type { Metrics } from '../observability/metrics.ts';
import { endSession } from './session-ending.ts';
import type { GatewayServer, GatewaySocket } from './session.ts';

export interface ResyncOptions {
  io: GatewayServer;
  metrics: Metrics;
  /** @default Math.random */
  random?: () => number;
  /** Transports still open this long after their reconnect time are closed by the node. @default 1000 */
  graceMs?: number;
}

export interface Resync {
  /**
   * Asks every socket of this node to reconnect (its reconnect syncs from its last version) at a random time
   * within `windowMs`, except sockets already asked: their reconnect is still to come, so it happens after
   * this request too. Returns how many sockets were asked.
   */
  askAll(windowMs: number): number;
}

const MESSAGE = 'the state store or its pub/sub connection was restored; reconnect after the delay to resync';

/**
 * One way for the node to make its clients resync after the store lost its data or the pub/sub connection was
 * restored (both happen together when Redis restarts): a `drain` hint with a jittered delay, which the SDK
 * follows at that time without backoff, so the reconnects are spread and each socket bounces once.
 */
export function createResync(options: ResyncOptions): Resync {
  const random = options.random ?? Math.random;
  const graceMs = options.graceMs ?? 1000;
  const asked = new WeakSet<GatewaySocket>();

  return {
    askAll(windowMs) {
      const batch: GatewaySocket[] = [];
      for (const socket of options.io.of('/').sockets.values()) {
        if (asked.has(socket) || !socket.connected) continue;
        asked.add(socket);
        const delay = Math.min(windowMs, Math.floor(random() * (windowMs + 1)));
        endSession(socket, 'drain', { metrics: options.metrics, reconnectAfterMs: delay, close: false, message: MESSAGE });
        batch.push(socket);
      }
      if (batch.length > 0) {
        // A client that ignored the hint still resyncs: its transport is closed once the window is over.
        const timer = setTimeout(() => {
          for (const socket of batch) if (socket.connected) socket.conn.close();
        }, windowMs + graceMs);
        timer.unref();
      }
      return batch.length;
    },
  };
}
