import type { Device } from '../protocol/index.js';
import { createListeners } from '../util/listeners.js';

export interface DevicesStore {
  set(devices: readonly Device[]): void;
  list(): readonly Device[];
  subscribe(listener: (devices: readonly Device[]) => void): () => void;
}

const same = (a: Device, b: Device | undefined) =>
  b !== undefined &&
  a.deviceId === b.deviceId &&
  a.name === b.name &&
  a.kind === b.kind &&
  a.online === b.online &&
  a.nodeId === b.nodeId &&
  a.connectedAt === b.connectedAt &&
  a.lastSeen === b.lastSeen;

/** The user's device list as last pushed; the array is replaced only when something differs. */
export function createDevicesStore(): DevicesStore {
  let devices: readonly Device[] = [];
  const listeners = createListeners<readonly Device[]>();
  return {
    set(next) {
      if (next.length === devices.length && next.every((d, i) => same(d, devices[i]))) return;
      devices = next;
      listeners.emit(devices);
    },
    list: () => devices,
    subscribe: (listener) => listeners.add(listener),
  };
}
