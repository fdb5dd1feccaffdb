import type { Device } from '../../client-sdk/src/protocol/index.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import { userRoom } from './rooms.ts';
import type { GatewayServer } from './session.ts';

export interface PresenceOptions {
  io: GatewayServer;
  engine: Engine;
  logger: Logger;
  pushDevices(room: string, devices: Device[]): void;
  /** Runs on every tick after the touch: the revocation re-check. */
  recheck?: () => Promise<unknown>;
  /** @default 10_000 */
  intervalMs?: number;
  /** A device not seen for this long is marked offline by the sweep. @default 30_000 */
  staleMs?: number;
}

/**
 * Every interval: refresh `lastSeen` of this node's sockets, then sweep devices nobody refreshed
 * (their node died) and push the changed lists. Every node sweeps; the sweep is idempotent.
 */
export function startPresence(options: PresenceOptions): { stop(): void } {
  const { io, engine, logger } = options;
  let running = false;

  const tick = async () => {
    if (running) return; // a slow store must not pile up ticks
    running = true;
    try {
      const entries: Array<{ userId: string; deviceId: string; connId: string }> = [];
      for (const socket of io.of('/').sockets.values()) {
        const session = socket.data.session;
        if (session) entries.push({ userId: session.userId, deviceId: session.deviceId, connId: session.connId });
      }
      if (entries.length > 0) await engine.touchDevices(entries);
      if (options.recheck) await options.recheck();
      const changed = await engine.sweepStaleDevices(options.staleMs ?? 30_000);
      for (const { userId, devices } of changed) options.pushDevices(userRoom(userId), devices);
    } catch (err) {
      logger.warn({ err }, 'presence tick failed');
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void tick(), options.intervalMs ?? 10_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
