import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Resync } from './resync.ts';

export interface StoreLossWatchOptions {
  engine: Engine;
  logger: Logger;
  resync: Resync;
  metrics?: Metrics;
  /** One SET NX GET and one INFO replication per primary, per tick and node. @default 250 */
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
 * Watches the store's identity (Engine.storeId: its data and its replication history). When it changes, the
 * store lost its data or went back in time (a promoted replica that missed writes, an older backup): devices
 * that only read would never see a change of the new epoch, and devices that saw versions the store no
 * longer has would take the new ones for old. So every socket of this node is asked to reconnect (see
 * resync.ts); on reconnect each client syncs, and one that had seen further gets a snapshot flagged as a reset.
 * The reconnect also registers its connection again, which the older store may not know.
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
        options.metrics?.storeChanges.inc();
        logger.warn({ sockets: asked, before: known, now: current }, 'the store changed (lost data, a promoted replica or a restart): asking clients to reconnect and resync');
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
