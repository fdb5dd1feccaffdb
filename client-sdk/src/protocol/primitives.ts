import { LIMITS } from './limits.js';
import * as s from './schema/index.js';

const SAFE_ID = /^[A-Za-z0-9_.:-]+$/;
const SAFE_ID_MESSAGE = 'may use only letters, digits and _ . : -';

export const Sku = s.string({ min: 1, max: LIMITS.skuLength, pattern: SAFE_ID, message: SAFE_ID_MESSAGE });
export const VideoId = s.string({ min: 1, max: LIMITS.videoIdLength, pattern: SAFE_ID, message: SAFE_ID_MESSAGE });
export const DeviceId = s.string({ min: 1, max: LIMITS.deviceIdLength, pattern: /^[A-Za-z0-9_-]+$/, message: 'may use only letters, digits, _ and -' });
/** A per-device sequence number: the device's n-th mutation. (deviceId, seq) is the mutation's opId. */
export const Seq = s.int({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** Milliseconds since the Unix epoch. */
export const Millis = s.int({ min: 0, max: 8_640_000_000_000_000 });
/** A user's change-log version; 0 means "nothing yet". */
export const Version = s.int({ min: 0, max: Number.MAX_SAFE_INTEGER });
/** Identifies one life of a user's change log; it changes when the store loses its data. */
export const Epoch = s.string({ min: 1, max: 64 });
/** A user id (the token's `sub`). No braces or spaces: it goes inside a Redis hash tag `{u:<id>}`. */
export const UserId = s.string({ min: 1, max: 128, pattern: /^[A-Za-z0-9_.:@|+=-]+$/, message: 'may use only letters, digits and _ . : @ | + = -' });

/**
 * Device ids of the app's backend writing through the admin API start with this; a device may not use it.
 * A change whose `deviceId` has it was made by the backend (`isBackendDevice`).
 */
export const BACKEND_DEVICE_PREFIX = 'backend-';
export function isBackendDevice(deviceId: string): boolean {
  return deviceId.startsWith(BACKEND_DEVICE_PREFIX);
}
