import { Change, SyncPayload } from './changes.js';
import { Device } from './devices.js';
import type { Ack } from './errors.js';
import { Millis } from './primitives.js';
import { MutationResult } from './mutations.js';
import { MutationsPushResult } from './push.js';
import type { RequestEvent, RequestOf } from './requests.js';
import { ServerInfo, SessionEnding } from './session.js';
import * as s from './schema/index.js';
import { WatchRules } from './watch.js';
import { PlaybackHandoff, PlaybackHandoffResult } from './playback.js';

export const SyncResult = s.object({
  ...ServerInfo.shape,
  sync: SyncPayload,
  devices: s.array(Device),
  /** The server's resume rules (protocol 3 on; sent only to clients that speak it), so the SDK predicts with them. */
  watchRules: s.optional(WatchRules),
});
export type SyncResult = s.Infer<typeof SyncResult>;

export const DevicesListResult = s.object({ devices: s.array(Device) });
export type DevicesListResult = s.Infer<typeof DevicesListResult>;
export const AuthRefreshResult = s.object({ expiresAt: Millis });
export type AuthRefreshResult = s.Infer<typeof AuthRefreshResult>;
export const SignOutResult = s.object({ revokedAt: Millis });
export type SignOutResult = s.Infer<typeof SignOutResult>;

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
  'playback:handoff': PlaybackHandoffResult;
}

export const RESULT_SCHEMAS: { [E in RequestEvent]: s.Schema<ResultOf[E]> } = {
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
  'playback:handoff': PlaybackHandoffResult,
};

/** Server-to-client pushes. */
export const PUSH_SCHEMAS = {
  /** A committed change of this user, sent to every device of the user except the one that made it. */
  change: Change,
  /** The user's device list changed (a device connected, went away, or was signed out). */
  devices: s.object({ devices: s.array(Device) }),
  /** The server is about to close this connection on purpose, and why. */
  'session:ending': SessionEnding,
  /** Another device of the user asks this one to continue a video (acknowledged with `{ok: true}`). */
  'playback:handoff': PlaybackHandoff,
} as const;
export type PushEvent = keyof typeof PUSH_SCHEMAS;
export type PushOf<E extends PushEvent> = s.Infer<(typeof PUSH_SCHEMAS)[E]>;

/** Typed event maps for socket.io's generics, shared by server and client. */
export type ClientToServerEvents = {
  [E in RequestEvent]: (request: RequestOf<E>, ack: (response: Ack<ResultOf[E]>) => void) => void;
};
export type ServerToClientEvents = {
  [E in Exclude<PushEvent, 'playback:handoff'>]: (payload: PushOf<E>) => void;
} & {
  /** The one push the client acknowledges: the sender learns that the target took it. */
  'playback:handoff': (payload: PlaybackHandoff, ack: (receipt: { ok: true }) => void) => void;
};

