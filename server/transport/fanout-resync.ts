import type { Logger } from '../observability/logger.ts';
import type { SubscriberClient } from './adapter.ts';
import type { Resync } from './resync.ts';

export interface FanoutResyncOptions {
  sub: SubscriberClient;
  logger: Logger;
  resync: Resync;
  /** Runs before the clients are asked (the store-loss check: when Redis lost its data, that asks them). */
  before?: () => Promise<void>;
  /**
   * Reconnects are spread over this window. @default 500 (the store-loss watch's: after a failover both ask,
   * and the first ask sets a socket's delay)
   */
  windowMs?: number;
}

/**
 * Pushes published while the subscriber connection was away are gone, and a device that only reads would
 * not notice a gap until some later change. After every re-connect of the subscriber (not the first
 * connect), each socket is asked to reconnect within a short random delay; its reconnect syncs from its
 * last version, so what it missed arrives without waiting for another change.
 */
export function startFanoutResync(options: FanoutResyncOptions): void {
  const { logger, resync } = options;
  // The gateway is built after the subscriber is ready (server/infrastructure.ts), so every 'ready' seen here
  // is a re-connect.
  options.sub.on('ready', () => {
    void (options.before?.() ?? Promise.resolve()).finally(() => {
      const asked = resync.askAll(options.windowMs ?? 500);
      logger.warn({ sockets: asked }, 'pub/sub connection restored: asking clients to reconnect and resync');
    });
  });
}
