import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayServer } from './session.ts';

export interface StoreLossWatchOptions {
  io: GatewayServer;
  engine: Engine;
  logger: Logger;
  /** @default 1000 */
  intervalMs?: number;
}

/**
 * Watches the store's identity. When it changes, the store lost its data: devices that only read would
 * never see a change with the new epoch, so every socket of this node is closed (transport only, free to
 * reconnect); on reconnect each client syncs and takes the snapshot of the new epoch.
 */
export function startStoreLossWatch(options: StoreLossWatchOptions): { stop(): void } {
  const { io, engine, logger } = options;
  let known: string | null = null;
  let running = false;

  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const current = await engine.storeId();
      if (known !== null && current !== known) {
        const sockets = [...io.of('/').sockets.values()];
        logger.warn({ sockets: sockets.length }, 'the store lost its data (new store id): closing connections so clients resync');
        for (const socket of sockets) socket.conn.close();
      }
      known = current;
    } catch {
      // Store unreachable: readiness and requests report it; check again next tick.
    } finally {
      running = false;
    }
  };

  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
