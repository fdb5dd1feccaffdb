import * as z from 'zod';
import { Change, SyncPayload, SyncRequest } from './changes.js';
import { Device, DevicesListRequest } from './devices.js';
import type { Ack } from './errors.js';
import { Millis } from './primitives.js';
import { MUTATION_SCHEMAS, MutationResult } from './mutations.js';
import { MutationsPushRequest, MutationsPushResult } from './push.js';
import { AuthRefreshRequest, ServerInfo, SessionEnding, SignOutRequest } from './session.js';

/** Every client-to-server request, by event name. */
export const REQUEST_SCHEMAS = {
  ...MUTATION_SCHEMAS,
  'mutations:push': MutationsPushRequest,
  'sync:since': SyncRequest,
  'devices:list': DevicesListRequest,
  'auth:refresh': AuthRefreshRequest,
  'auth:sign-out': SignOutRequest,
} as const;
export type RequestEvent = keyof typeof REQUEST_SCHEMAS;
export type RequestOf<E extends RequestEvent> = z.infer<(typeof REQUEST_SCHEMAS)[E]>;

export const REQUEST_EVENTS = Object.keys(REQUEST_SCHEMAS) as RequestEvent[];

export function isRequestEvent(event: string): event is RequestEvent {
  return Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, event);
}

export const SyncResult = z.strictObject({
  ...ServerInfo.shape,
  sync: SyncPayload,
  devices: z.array(Device),
});
export type SyncResult = z.infer<typeof SyncResult>;

export const DevicesListResult = z.strictObject({ devices: z.array(Device) });
export type DevicesListResult = z.infer<typeof DevicesListResult>;
export const AuthRefreshResult = z.strictObject({ expiresAt: Millis });
export type AuthRefreshResult = z.infer<typeof AuthRefreshResult>;
export const SignOutResult = z.strictObject({ revokedAt: Millis });
export type SignOutResult = z.infer<typeof SignOutResult>;

/** The success payload of each request. */
export interface ResultOf {
  'cart:add': MutationResult;
  'cart:set': MutationResult;
  'cart:remove': MutationResult;
  'cart:clear': MutationResult;
  'watch:report': MutationResult;
  'watch:remove': MutationResult;
  'mutations:push': MutationsPushResult;
  'sync:since': SyncResult;
  'devices:list': DevicesListResult;
  'auth:refresh': AuthRefreshResult;
  'auth:sign-out': SignOutResult;
}

export const RESULT_SCHEMAS: { [E in RequestEvent]: z.ZodType<ResultOf[E]> } = {
  'cart:add': MutationResult,
  'cart:set': MutationResult,
  'cart:remove': MutationResult,
  'cart:clear': MutationResult,
  'watch:report': MutationResult,
  'watch:remove': MutationResult,
  'mutations:push': MutationsPushResult,
  'sync:since': SyncResult,
  'devices:list': DevicesListResult,
  'auth:refresh': AuthRefreshResult,
  'auth:sign-out': SignOutResult,
};

/** Server-to-client pushes. */
export const PUSH_SCHEMAS = {
  /** A committed change of this user, sent to every device of the user except the one that made it. */
  change: Change,
  /** The user's device list changed (a device connected, went away, or was signed out). */
  devices: z.strictObject({ devices: z.array(Device) }),
  /** The server is about to close this connection on purpose, and why. */
  'session:ending': SessionEnding,
} as const;
export type PushEvent = keyof typeof PUSH_SCHEMAS;
export type PushOf<E extends PushEvent> = z.infer<(typeof PUSH_SCHEMAS)[E]>;

/** Typed event maps for socket.io's generics, shared by server and client. */
export type ClientToServerEvents = {
  [E in RequestEvent]: (request: RequestOf<E>, ack: (response: Ack<ResultOf[E]>) => void) => void;
};
export type ServerToClientEvents = {
  [E in PushEvent]: (payload: PushOf<E>) => void;
};

