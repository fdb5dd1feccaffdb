import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import type { Rng } from './rng.ts';

/**
 * The operations the clients perform, chosen so the model can compute the outcome whatever the interleaving
 * across devices and nodes (the choice the invariant checker relies on):
 * - shared skus (`s1`..`s4`, every device of the user): `cart:add` only, with the same title and price per sku,
 *   so the final quantity is the sum of the applied adds in any order;
 * - per-device skus (`<deviceId>.k1`..`k3`): add, set and remove, by that device only, so they apply in the
 *   device's own seq order;
 * - per-device videos (`<deviceId>.v1`, `.v2`): progress reports with rising positions and some seeks back,
 *   by that device only, so the last one it made wins;
 * - one shared video per user (`shared.v`): progress reports from every device with positions from one
 *   rising counter, which must never be seen moving backwards (no seek ever targets it).
 * No `cart:clear` (it would make the shared quantities depend on the interleaving).
 */
export type PlannedOp =
  | { kind: 'add'; sku: string; title: string; priceCents: number; qty: number; shared: boolean }
  | { kind: 'set'; sku: string; qty: number }
  | { kind: 'remove'; sku: string }
  | { kind: 'watch'; videoId: string; positionSec: number; durationSec: number; seek: boolean; shared: boolean };

export const SHARED_SKUS = ['s1', 's2', 's3', 's4'];
export const SHARED_VIDEO = 'shared.v';
export const VIDEO_DURATION = 3600;

export function sharedSkuInfo(sku: string): { title: string; priceCents: number } {
  return { title: `Shared ${sku}`, priceCents: 100 * (SHARED_SKUS.indexOf(sku) + 1) };
}

/** What every device of one user plans against (the upper bound of each shared sku's quantity). */
export interface UserPlan {
  sharedIssued: Map<string, number>;
  sharedVideoPosition: number;
}

/** What one device plans against: its own lines and videos as they will be once everything it sent applies. */
export interface DevicePlan {
  deviceId: string;
  lines: Map<string, number>;
  videos: Map<string, number>;
}

export function createUserPlan(): UserPlan {
  return { sharedIssued: new Map(SHARED_SKUS.map((s) => [s, 0])), sharedVideoPosition: 0 };
}

export function createDevicePlan(deviceId: string): DevicePlan {
  return { deviceId, lines: new Map(), videos: new Map() };
}

export function signature(op: PlannedOp): string {
  return op.kind === 'watch' ? `watch:${op.videoId}` : `cart:${op.sku}`;
}

/** Picks the next operation and books its effect into the plans (undo with `unplan` if it is refused). */
export function planNext(rng: Rng, user: UserPlan, device: DevicePlan): PlannedOp {
  for (let attempt = 0; attempt < 10; attempt++) {
    const roll = rng.next();
    if (roll < 0.35) {
      const sku = rng.pick(SHARED_SKUS);
      const qty = rng.int(1, 3);
      const issued = user.sharedIssued.get(sku) ?? 0;
      if (issued + qty > LIMITS.qtyMax) continue;
      user.sharedIssued.set(sku, issued + qty);
      return { kind: 'add', sku, ...sharedSkuInfo(sku), qty, shared: true };
    }
    if (roll < 0.65) {
      const sku = `${device.deviceId}.k${rng.int(1, 3)}`;
      const current = device.lines.get(sku);
      const choice = rng.next();
      if (current === undefined || choice < 0.4) {
        const qty = rng.int(1, 5);
        if ((current ?? 0) + qty > LIMITS.qtyMax) continue;
        device.lines.set(sku, (current ?? 0) + qty);
        return { kind: 'add', sku, title: `Own ${sku}`, priceCents: 250, qty, shared: false };
      }
      if (choice < 0.85) {
        const qty = rng.int(0, 9);
        if (qty === 0) device.lines.delete(sku);
        else device.lines.set(sku, qty);
        return { kind: 'set', sku, qty };
      }
      device.lines.delete(sku);
      return { kind: 'remove', sku };
    }
    if (roll < 0.9) {
      const videoId = `${device.deviceId}.v${rng.int(1, 2)}`;
      const position = device.videos.get(videoId) ?? 0;
      const seek = position > 60 && rng.chance(0.15);
      const next = seek ? rng.int(0, Math.floor(position / 2)) : Math.min(VIDEO_DURATION, position + rng.int(1, 30));
      device.videos.set(videoId, next);
      return { kind: 'watch', videoId, positionSec: next, durationSec: VIDEO_DURATION, seek, shared: false };
    }
    user.sharedVideoPosition = Math.min(VIDEO_DURATION, user.sharedVideoPosition + rng.int(1, 10));
    return { kind: 'watch', videoId: SHARED_VIDEO, positionSec: user.sharedVideoPosition, durationSec: VIDEO_DURATION, seek: false, shared: true };
  }
  // Every shared sku is near its cap: a progress report always fits.
  user.sharedVideoPosition = Math.min(VIDEO_DURATION, user.sharedVideoPosition + 1);
  return { kind: 'watch', videoId: SHARED_VIDEO, positionSec: user.sharedVideoPosition, durationSec: VIDEO_DURATION, seek: false, shared: true };
}

/** Returns a refused shared add's quantity to the pool (per-device plans are recomputed by the checker). */
export function unplan(op: PlannedOp, user: UserPlan): void {
  if (op.kind === 'add' && op.shared) user.sharedIssued.set(op.sku, (user.sharedIssued.get(op.sku) ?? 0) - op.qty);
}
