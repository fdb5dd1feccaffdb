import type { Device } from '../protocol/index.js';
import { sortDevices } from '../rules/index.js';

/** The newer of two records of one device: the later `lastSeen`; on a tie the offline one (a sweep keeps lastSeen). */
function newer(a: Device, b: Device): Device {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen > b.lastSeen ? a : b;
  if (a.online !== b.online) return a.online ? b : a;
  return b;
}

/**
 * Device lists carry no version, and lists computed on different nodes can arrive out of order. So each device
 * keeps its newest record, and a device missing from an incoming list is kept only if we saw it after anything
 * that list knew of (it joined after the list was read); otherwise it is gone (evicted).
 */
export function mergeDevices(current: readonly Device[], incoming: readonly Device[]): Device[] {
  let listTime = 0;
  for (const d of incoming) listTime = Math.max(listTime, d.lastSeen, d.connectedAt);
  const merged = new Map<string, Device>();
  for (const d of incoming) merged.set(d.deviceId, d);
  for (const d of current) {
    const other = merged.get(d.deviceId);
    if (other) merged.set(d.deviceId, newer(d, other));
    else if (d.lastSeen > listTime) merged.set(d.deviceId, d);
  }
  return sortDevices(merged.values());
}
