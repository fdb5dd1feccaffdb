import type { Metrics } from '../observability/metrics.ts';
import { endSession } from './session-ending.ts';
import type { GatewayServer, GatewaySocket } from './session.ts';

export interface DrainOptions {
  io: GatewayServer;
  metrics: Metrics;
  /** Reconnect hints are spread uniformly over [0, windowMs]. */
  windowMs: number;
  /** @default Math.random */
  random?: () => number;
}

/**
 * Tells every socket to reconnect elsewhere after a random delay (so the clients of a dying node do not all
 * land on the others at once) and closes each transport when its delay is up. One timer for all sockets.
 * Resolves when this node has no connection left.
 */
export function drainSockets(options: DrainOptions): Promise<void> {
  const { io } = options;
  const random = options.random ?? Math.random;
  const started = Date.now();
  const plan: Array<{ at: number; socket: GatewaySocket }> = [];
  for (const socket of io.of('/').sockets.values()) {
    const delay = Math.floor(random() * (options.windowMs + 1));
    endSession(socket, 'drain', { metrics: options.metrics, reconnectAfterMs: delay, close: false });
    plan.push({ at: started + delay, socket });
  }
  plan.sort((a, b) => a.at - b.at);

  return new Promise((resolve) => {
    let next = 0;
    const tick = () => {
      const now = Date.now();
      while (next < plan.length && (plan[next]?.at ?? Infinity) <= now) {
        plan[next]?.socket.conn.close();
        next++;
      }
      if (io.engine.clientsCount === 0) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 25);
    timer.unref();
    tick();
  });
}
