import { LIMITS } from './limits.js';
import { DeviceId, Millis } from './primitives.js';
import * as s from './schema/index.js';

export const DeviceKind = s.enumOf(['phone', 'tablet', 'laptop', 'desktop', 'tv', 'other']);
export type DeviceKind = s.Infer<typeof DeviceKind>;

export const Device = s.object({
  deviceId: DeviceId,
  name: s.string({ max: LIMITS.deviceNameLength }),
  kind: DeviceKind,
  connectedAt: Millis,
  lastSeen: Millis,
  online: s.boolean(),
  /** The gateway node the device is connected to (empty when offline). */
  nodeId: s.string({ max: 128 }),
});
export type Device = s.Infer<typeof Device>;

