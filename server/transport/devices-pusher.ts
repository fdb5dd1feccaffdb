import type { Device } from '../../client-sdk/src/protocol/index.ts';

/** The window over which one user's device-list pushes are folded into one. @default 50 */
export const DEVICES_PUSH_WINDOW_MS = 50;

/**
 * Coalesces device-list pushes per room: the first change of a window is pushed at its end with the newest
 * list seen by then. A burst of connects of one user (a reconnect storm, or an attacker's 300 handshakes)
 * costs one push per window instead of one per connect times every socket of the user.
 */
export function createDevicesPusher(deps: { emit(room: string, devices: Device[]): void; windowMs?: number }): {
  push(room: string, devices: Device[]): void;
  stop(): void;
} {
  const pending = new Map<string, Device[]>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const batch = [...pending];
    pending.clear();
    for (const [room, devices] of batch) deps.emit(room, devices);
  };
  return {
    push(room, devices) {
      pending.set(room, devices);
      if (!timer) timer = setTimeout(flush, deps.windowMs ?? DEVICES_PUSH_WINDOW_MS);
    },
    stop() {
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}
