import * as z from 'zod';
import {
  CartAddRequest,
  CartClearRequest,
  CartRemoveRequest,
  CartSetRequest,
} from './cart.js';
import { Change, SyncPayload, SyncRequest } from './changes.js';
import { Device, DevicesListRequest } from './devices.js';
import type { Ack } from './errors.js';
import { Epoch, Millis, Version } from './primitives.js';
import { AuthRefreshRequest, ServerInfo, SessionEnding, SignOutRequest } from './session.js';
import { WatchRemoveRequest, WatchReportRequest } from './watch.js';

/** Requests that change state. Each carries the device's `seq`; (deviceId, seq) makes a resend harmless. */
export const MUTATION_SCHEMAS = {
  'cart:add': CartAddRequest,
  'cart:set': CartSetRequest,
  'cart:remove': CartRemoveRequest,
  'cart:clear': CartClearRequest,
  'watch:report': WatchReportRequest,
  'watch:remove': WatchRemoveRequest,
} as const;
export type MutationEvent = keyof typeof MUTATION_SCHEMAS;
export type MutationRequest<E extends MutationEvent = MutationEvent> = z.infer<(typeof MUTATION_SCHEMAS)[E]>;
/** A mutation tagged with its event, as the SDK's outbox and the server's engines carry it. */
export type Mutation = { [E in MutationEvent]: { event: E; request: MutationRequest<E> } }[MutationEvent];

/** Every client-to-server request, by event name. */
export const REQUEST_SCHEMAS = {
  ...MUTATION_SCHEMAS,
  'sync:since': SyncRequest,
  'devices:list': DevicesListRequest,
  'auth:refresh': AuthRefreshRequest,
  'auth:sign-out': SignOutRequest,
} as const;
export type RequestEvent = keyof typeof REQUEST_SCHEMAS;
export type RequestOf<E extends RequestEvent> = z.infer<(typeof REQUEST_SCHEMAS)[E]>;

export const MUTATION_EVENTS = Object.keys(MUTATION_SCHEMAS) as MutationEvent[];
export const REQUEST_EVENTS = Object.keys(REQUEST_SCHEMAS) as RequestEvent[];

export function isMutationEvent(event: string): event is MutationEvent {
  return Object.prototype.hasOwnProperty.call(MUTATION_SCHEMAS, event);
}
export function isRequestEvent(event: string): event is RequestEvent {
  return Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, event);
}

/** The success payload of a mutation: the committed change, or `duplicate` for a resend of an applied one. */
export const MutationResult = z.strictObject({
  epoch: Epoch,
  /** The version that includes this mutation (for a duplicate: a version at or after the one it committed at). */
  version: Version,
  duplicate: z.boolean(),
  /** The committed change; absent for a duplicate. */
  change: Change.optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

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

