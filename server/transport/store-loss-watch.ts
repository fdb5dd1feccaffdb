import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { Resync } from './resync.ts';

export interface StoreLossWatchOptions {
  engine: Engine;
  logger: Logger;
  resync: Resync;
  /** One SET NX GET per tick and node. @default 250 */
  intervalMs?: number;
  /** Clients reconnect spread over this window (the SDK's first backoff step is as wide). @default 500 */
  windowMs?: number;
}

export interface StoreLossWatch {
  /** Checks the store's identity now (e.g. when a Redis connection was restored); resolves when done. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Watches the store's identity. When it changes, the store lost its data: devices that only read would
 * never see a change with the new epoch, so every socket of this node is asked to reconnect (see resync.ts);
 * on reconnect each client syncs and takes the snapshot of the new epoch.
 */
export function startStoreLossWatch(options: StoreLossWatchOptions): StoreLossWatch {
  const { engine, logger, resync } = options;
  let known: string | null = null;
  let running: Promise<void> | null = null;

  const tick = async () => {
    try {
      const current = await engine.storeId();
      if (known !== null && current !== known) {
        const asked = resync.askAll(options.windowMs ?? 500, { close: true });
        logger.warn({ sockets: asked }, 'the store lost its data (new store id): asking clients to reconnect and resync');
      }
      known = current;
    } catch {
      // Store unreachable: readiness and requests report it; check again next tick.
    }
  };
  const check = () => {
    running ??= tick().finally(() => {
      running = null;
    });
    return running;
  };

  void check();
  const timer = setInterval(() => void check(), options.intervalMs ?? 250);
  timer.unref();
  return {
    check,
    stop() {
      clearInterval(timer);
    },
  };
}
