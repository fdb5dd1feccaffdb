import { DeviceKind } from './devices.js';
import { LIMITS } from './limits.js';
import { MUTATION_EVENTS, MUTATION_SCHEMAS, type Mutation, type MutationEvent } from './mutations.js';
import { BACKEND_DEVICE_PREFIX, DeviceId, Epoch, Version, isBackendDevice } from './primitives.js';
import { PlaybackHandoffRequest } from './playback.js';
import { utf8Length } from './push.js';
import * as s from './schema/index.js';

// What clients send. Only the server parses these whole: the SDK builds them, and checks only mutations (by
// MUTATION_SCHEMAS) before sending, so a bundle of the SDK leaves this module out.

/** What the client puts in socket.io's handshake `auth` (never in the URL). */
export const HandshakeAuth = s.object({
  // Absent when the node takes the token from its AUTH_COOKIE_NAME cookie (a browser's web session).
  token: s.optional(s.string({ min: 1, max: LIMITS.tokenLength })),
  deviceId: s.refine(DeviceId, (id) => !isBackendDevice(id), `must not start with ${BACKEND_DEVICE_PREFIX} (the app backend's devices do)`),
  // A lone surrogate cannot be stored as UTF-8 (Redis would keep U+FFFD): refused like a cart title.
  deviceName: s.optional(
    s.refine(
      s.string({ max: LIMITS.deviceNameLength, pattern: /^[^\u0000-\u001F\u007F-\u009F]*$/, message: 'must not contain control characters' }),
      (name) => !/[\uD800-\uDFFF]/u.test(name),
      'must be well-formed unicode',
    ),
  ),
  deviceKind: s.optional(DeviceKind),
  protocol: s.int({ min: 1, max: 1000 }),
});
export type HandshakeAuth = s.Infer<typeof HandshakeAuth>;

/** `auth:refresh`: a fresh token for the same user, sent before the current one expires. */
export const AuthRefreshRequest = s.object({ token: s.string({ min: 1, max: LIMITS.tokenLength }) });
export type AuthRefreshRequest = s.Infer<typeof AuthRefreshRequest>;

/** `auth:sign-out`: revoke this device (or another of the user's devices), or every session of the user. */
export const SignOutRequest = s.object({
  scope: s.enumOf(['device', 'everywhere']),
  deviceId: s.optional(DeviceId),
});
export type SignOutRequest = s.Infer<typeof SignOutRequest>;

/** `sync:since`: what changed after `version` of `epoch` (null on a first connect). */
export const SyncRequest = s.object({
  since: s.nullable(s.object({ epoch: Epoch, version: Version })),
});
export type SyncRequest = s.Infer<typeof SyncRequest>;

/** `devices:list`: the user's devices. */
export const DevicesListRequest = s.object({});
export type DevicesListRequest = s.Infer<typeof DevicesListRequest>;

/** One mutation inside a push: the event it would be sent as on its own, and that event's request. */
const PushedMutation = s.transform(
  s.object({ event: s.enumOf(MUTATION_EVENTS as [MutationEvent, ...MutationEvent[]]), request: s.unknown() }),
  (item, path, issues): Mutation => {
    path.push('request');
    const request = MUTATION_SCHEMAS[item.event].run(item.request, path, issues);
    path.pop();
    return { event: item.event, request } as Mutation;
  },
);
const PushedMutations = s.array(PushedMutation);

/**
 * `mutations:push`: a device's pending mutations, in seq order, applied in that order and each all-or-nothing.
 * Count and bytes are checked before any item is parsed, so an oversized push costs the server little.
 */
export const MutationsPushRequest = s.object({
  mutations: s.transform(
    s.refine(
      s.array(s.unknown(), { min: 1, max: LIMITS.pushMutations }),
      (items) => utf8Length(JSON.stringify(items)) <= LIMITS.pushBytes,
      `must be at most ${LIMITS.pushBytes} bytes as JSON`,
    ),
    (items, path, issues) => PushedMutations.run(items, path, issues) as Mutation[],
  ),
});
export type MutationsPushRequest = s.Infer<typeof MutationsPushRequest>;

/** Every client-to-server request, by event name. */
export const REQUEST_SCHEMAS = {
  ...MUTATION_SCHEMAS,
  'mutations:push': MutationsPushRequest,
  'sync:since': SyncRequest,
  'devices:list': DevicesListRequest,
  'auth:refresh': AuthRefreshRequest,
  'auth:sign-out': SignOutRequest,
  'playback:handoff': PlaybackHandoffRequest,
} as const;
export type RequestEvent = keyof typeof REQUEST_SCHEMAS;
export type RequestOf<E extends RequestEvent> = s.Infer<(typeof REQUEST_SCHEMAS)[E]>;

export const REQUEST_EVENTS = Object.keys(REQUEST_SCHEMAS) as RequestEvent[];

export function isRequestEvent(event: string): event is RequestEvent {
  return Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, event);
}
