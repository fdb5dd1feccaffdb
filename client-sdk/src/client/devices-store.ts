import type { Device } from '../protocol/index.js';
import { mergeDevices } from '../state/merge-devices.js';
import { createListeners } from '../util/listeners.js';

export interface DevicesStore {
  /** Merges a list from a push or a sync answer (see mergeDevices). */
  merge(devices: readonly Device[]): void;
  /** Replaces the list (sign-out, another user). */
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

/** The user's device list; the array is replaced only when something differs. */
export function createDevicesStore(): DevicesStore {
  let devices: readonly Device[] = [];
  const listeners = createListeners<readonly Device[]>();
  const set = (next: readonly Device[]) => {
    if (next.length === devices.length && next.every((d, i) => same(d, devices[i]))) return;
    devices = next;
    listeners.emit(devices);
  };
  return {
    merge: (incoming) => set(mergeDevices(devices, incoming)),
    set,
    list: () => devices,
    subscribe: (listener) => listeners.add(listener),
  };
}
