import type { Device } from '../protocol/index.js';

/** The order devices are listed in, by both engines and the SDK: by connectedAt, then deviceId. */
export function sortDevices(devices: Iterable<Device>): Device[] {
  return [...devices].sort(
    (a, b) => a.connectedAt - b.connectedAt || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0),
  );
}

/** The device to evict to make room: the offline one seen longest ago (then by deviceId), or null if all are online. */
export function pickEviction(devices: Iterable<Device>): Device | null {
  let pick: Device | null = null;
  for (const d of devices) {
    if (d.online) continue;
    if (!pick || d.lastSeen < pick.lastSeen || (d.lastSeen === pick.lastSeen && d.deviceId < pick.deviceId)) pick = d;
  }
  return pick;
}

/** Whether a device seen at `lastSeen` is stale at `now`: not seen for `staleMs` or more. */
export function isStale(lastSeen: number, now: number, staleMs: number): boolean {
  return lastSeen <= now - staleMs;
}
