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
   * this request too. With `close`, transports still open after the window (a client that ignored the hint)
   * are closed, also those of sockets asked earlier without it. Returns how many sockets were asked.
   */
  askAll(windowMs: number, options?: { close?: boolean }): number;
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
  // Socket → whether the node will close it if the client does not reconnect by itself.
  const asked = new WeakMap<GatewaySocket, boolean>();

  return {
    askAll(windowMs, { close = false } = {}) {
      let count = 0;
      const closing: GatewaySocket[] = [];
      for (const socket of options.io.of('/').sockets.values()) {
        if (!socket.connected) continue;
        const before = asked.get(socket);
        if (before === undefined) {
          const delay = Math.min(windowMs, Math.floor(random() * (windowMs + 1)));
          endSession(socket, 'drain', { metrics: options.metrics, reconnectAfterMs: delay, close: false, message: MESSAGE });
          count++;
        }
        if (close && before !== true) closing.push(socket);
        asked.set(socket, close || before === true);
      }
      if (closing.length > 0) {
        const timer = setTimeout(() => {
          for (const socket of closing) if (socket.connected) socket.conn.close();
        }, windowMs + graceMs);
        timer.unref();
      }
      return count;
    },
  };
}
