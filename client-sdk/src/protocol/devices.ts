import * as z from 'zod';
import { LIMITS } from './limits.js';
import { DeviceId, Millis } from './primitives.js';

export const DeviceKind = z.enum(['phone', 'tablet', 'laptop', 'desktop', 'tv', 'other']);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const Device = z.strictObject({
  deviceId: DeviceId,
  name: z.string().max(LIMITS.deviceNameLength),
  kind: DeviceKind,
  connectedAt: Millis,
  lastSeen: Millis,
  online: z.boolean(),
  /** The gateway node the device is connected to (empty when offline). */
  nodeId: z.string().max(128),
});
export type Device = z.infer<typeof Device>;

/** `devices:list`: the user's devices. */
export const DevicesListRequest = z.strictObject({});
export type DevicesListRequest = z.infer<typeof DevicesListRequest>;
