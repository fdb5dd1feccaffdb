import type { Metrics } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { SubscriberClient } from './adapter.ts';
import { endSession } from './session-ending.ts';
import type { GatewayServer } from './session.ts';

export interface FanoutResyncOptions {
  io: GatewayServer;
  sub: SubscriberClient;
  metrics: Metrics;
  logger: Logger;
  /** Reconnects are spread over this window. @default 1000 */
  windowMs?: number;
}

/**
 * Pushes published while the subscriber connection was away are gone, and a device that only reads would
 * not notice a gap until some later change. After every re-connect of the subscriber (not the first
 * connect), each socket is asked to reconnect within a short random delay; its reconnect syncs from its
 * last version, so what it missed arrives without waiting for another change.
 */
export function startFanoutResync(options: FanoutResyncOptions): void {
  const { io, metrics, logger } = options;
  // The gateway is built after the subscriber is ready (server/infrastructure.ts), so every 'ready' seen here
  // is a re-connect.
  options.sub.on('ready', () => {
    const windowMs = options.windowMs ?? 1000;
    const sockets = [...io.of('/').sockets.values()];
    logger.warn({ sockets: sockets.length }, 'pub/sub connection restored: asking clients to reconnect and resync');
    for (const socket of sockets) {
      // Same push as a drain, without closing: the client reconnects (and syncs) at the given time.
      endSession(socket, 'drain', { metrics, reconnectAfterMs: Math.floor(Math.random() * windowMs), close: false });
    }
  });
}
