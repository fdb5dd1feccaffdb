import * as z from 'zod';
import { LIMITS } from './limits.js';
import { DeviceKind } from './devices.js';
import { DeviceId, Millis, isBackendDevice, BACKEND_DEVICE_PREFIX } from './primitives.js';
import { EndingReason } from './errors.js';

/** What the client puts in socket.io's handshake `auth` (never in the URL). */
export const HandshakeAuth = z.strictObject({
  token: z.string().min(1).max(LIMITS.tokenLength),
  deviceId: DeviceId.refine((id) => !isBackendDevice(id), `device ids starting with ${BACKEND_DEVICE_PREFIX} are the app backend's`),
  // A lone surrogate cannot be stored as UTF-8 (Redis would keep U+FFFD): refused like a cart title.
  deviceName: z
    .string()
    .max(LIMITS.deviceNameLength)
    .refine((name) => !/[\uD800-\uDFFF]/u.test(name), 'not well-formed unicode')
    .refine((name) => !/[\u0000-\u001F\u007F-\u009F]/.test(name), 'control characters are not allowed')
    .optional(),
  deviceKind: DeviceKind.optional(),
  protocol: z.number().int().min(1).max(1000),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;

/** `auth:refresh`: a fresh token for the same user, sent before the current one expires. */
export const AuthRefreshRequest = z.strictObject({ token: z.string().min(1).max(LIMITS.tokenLength) });
export type AuthRefreshRequest = z.infer<typeof AuthRefreshRequest>;

/** `auth:sign-out`: revoke this device (or another of the user's devices), or every session of the user. */
export const SignOutRequest = z.strictObject({
  scope: z.enum(['device', 'everywhere']),
  deviceId: DeviceId.optional(),
});
export type SignOutRequest = z.infer<typeof SignOutRequest>;

/** Pushed before the server closes a connection on purpose. */
export const SessionEnding = z.strictObject({
  reason: EndingReason,
  message: z.string().max(500),
  /** With `drain`: wait this long, then reconnect (to any node). */
  reconnectAfterMs: z.number().int().min(0).max(600_000).optional(),
});
export type SessionEnding = z.infer<typeof SessionEnding>;

/** Sent in answer to `sync:since`, so the client can estimate its clock offset and show its node. */
export const ServerInfo = z.strictObject({ nodeId: z.string().max(128), serverTime: Millis });
export type ServerInfo = z.infer<typeof ServerInfo>;
