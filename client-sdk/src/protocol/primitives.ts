import * as z from 'zod';
import { LIMITS } from './limits.js';

const SAFE_ID = /^[A-Za-z0-9_.:-]+$/;

export const Sku = z.string().min(1).max(LIMITS.skuLength).regex(SAFE_ID);
export const VideoId = z.string().min(1).max(LIMITS.videoIdLength).regex(SAFE_ID);
export const DeviceId = z.string().min(1).max(LIMITS.deviceIdLength).regex(/^[A-Za-z0-9_-]+$/);
/** A per-device sequence number: the device's n-th mutation. (deviceId, seq) is the mutation's opId. */
export const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Milliseconds since the Unix epoch. */
export const Millis = z.number().int().min(0).max(8_640_000_000_000_000);
/** A user's change-log version; 0 means "nothing yet". */
export const Version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Identifies one life of a user's change log; it changes when the store loses its data. */
export const Epoch = z.string().min(1).max(64);
/** A user id (the token's `sub`). No braces or spaces: it goes inside a Redis hash tag `{u:<id>}`. */
export const UserId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:@|+=-]+$/);

/**
 * Device ids of the app's backend writing through the admin API start with this; a device may not use it.
 * A change whose `deviceId` has it was made by the backend (`isBackendDevice`).
 */
export const BACKEND_DEVICE_PREFIX = 'backend-';
export function isBackendDevice(deviceId: string): boolean {
  return deviceId.startsWith(BACKEND_DEVICE_PREFIX);
}
