import type { CartLine, Change, Device, ErrorCode, WatchEntry } from '../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../errors.ts';
import type { FanoutEnvelope } from './engine.ts';

/**
 * What the app's backend may do to a user through the admin API. Cart and watch ops commit changes to the
 * user's log exactly like a device's mutations (same rules, versions and fan-out); device ops revoke.
 */
export type BackendOp =
  | { type: 'cart:add'; sku: string; title: string; priceCents: number; qty: number; currency?: string; attributes?: Record<string, string> }
  | { type: 'cart:set'; sku: string; qty: number }
  | { type: 'cart:remove'; sku: string }
  | { type: 'cart:clear' }
  /** A position set by the backend (it wins over older reports, may move backwards). */
  | { type: 'watch:set'; videoId: string; positionSec: number; durationSec: number }
  /** Marks the video watched to the end; `durationSec` is needed only when the video has no entry yet. */
  | { type: 'watch:complete'; videoId: string; durationSec?: number }
  /** Takes the video off every device's "continue watching". */
  | { type: 'watch:remove'; videoId: string }
  /** Signs the device out and removes it from the list (a `noop` change moves the version, so the ETag). */
  | { type: 'device:remove'; deviceId: string }
  /** Signs every device out (a `noop` change, as above). */
  | { type: 'sign-out' };

export interface BackendWrite {
  userId: string;
  /** The backend writer's device id (`backend-<key name>`): its own seq counter, outside the device list and cap. */
  writer: string;
  /** Remembered in the user's slot with the answer: a repeat answers it again, another request with it is refused. */
  idempotency: { key: string; requestHash: string };
  /** Refuse (`precondition_failed`) unless the user is at exactly this version. */
  ifMatch: { epoch: string; version: number } | null;
  /** Applied in order, all or nothing. */
  ops: BackendOp[];
  /** As for `Engine.mutate`: a store with pub/sub publishes each change in the same atomic write. */
  fanout?: FanoutEnvelope;
  /** The user's keys live on this long from the write (0 or absent: no expiry set). */
  retentionMs?: number;
}

/** The answer of a write; a replay carries the first call's numbers. */
export interface BackendWriteResult {
  epoch: string;
  /** The version after this call's changes. */
  version: number;
  /** The version before them (the changes are `fromVersion + 1 ..= version`). */
  fromVersion: number;
  /** The changes committed now (empty for a replay). */
  changes: Change[];
  replayed: boolean;
  /** The store published `changes` itself. */
  published: boolean;
  /** When a device op revoked sessions (the sessions issued before it are to be ended), else null. */
  revokedAt: number | null;
  /** The device list after a device op, else null. */
  devices: Device[] | null;
}

/** Everything the admin API shows of a user. */
export interface UserRecord {
  epoch: string;
  version: number;
  cart: CartLine[];
  watch: WatchEntry[];
  devices: Device[];
}

export type ChangesPage =
  | { kind: 'changes'; epoch: string; version: number; changes: Change[] }
  /** The log no longer reaches back to `since`, or the epoch differs: read the whole user. */
  | { kind: 'gone'; epoch: string; version: number };

/** Everything stored for a user, for `GET …/export`. */
export interface UserExport extends UserRecord {
  log: Change[];
}

/** What a call remembered under its Idempotency-Key answered: replayed as it was. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  etag?: { epoch: string; version: number };
}

/** An Idempotency-Key claimed for a call: first use (or a repeat of one that never settled), or its answer. */
export type KeyClaim = { kind: 'new' } | { kind: 'done'; answer: StoredAnswer };

/** The backend API's operations on the store; both engines implement them and pass one contract suite. */
export interface BackendEngine {
  /** null when nothing is stored for the user (no state, no devices). */
  readUser(userId: string): Promise<UserRecord | null>;
  /** Up to `limit` changes after `since` (of `epoch`, or the current epoch when null); null for an unknown user. */
  readChanges(userId: string, since: { epoch: string | null; version: number }, limit: number): Promise<ChangesPage | null>;
  /** Throws SyncError: `precondition_failed` (with the current tag), `idempotency_key_reused`, `rate_limited`, rule codes. */
  write(request: BackendWrite): Promise<BackendWriteResult>;
  /**
   * The Idempotency-Key record of a call that is not a `write` (checkout, merge, whose store steps are safe to
   * repeat): remembers the key with the request's hash, or answers the settled call; another request with
   * the key throws `idempotency_key_reused`. A claim that never settled (a node died) runs the call again.
   */
  claimKey(userId: string, idempotency: { key: string; requestHash: string }): Promise<KeyClaim>;
  /** Remembers the answer of a claimed call for as long as the key is kept. */
  settleKey(userId: string, idempotency: { key: string; requestHash: string }, answer: StoredAnswer): Promise<void>;
  exportUser(userId: string): Promise<UserExport | null>;
  /** Deletes every key of the user; returns the device ids it had (their sessions are to be closed). */
  erase(userId: string): Promise<{ erased: boolean; deviceIds: string[] }>;
}

/** A refusal that tells the caller where the user is now (`precondition_failed`, `history_gone`). */
export class StateRefusal extends SyncError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly current: { epoch: string; version: number },
  ) {
    super(code, message);
    this.name = 'StateRefusal';
  }
}

/** Backend API defaults, used when EngineOptions.backend is not given. */
export const BACKEND_DEFAULTS = {
  rateLimit: { perSecond: 100, burst: 200 },
  idempotencyTtlMs: 86_400_000,
  idempotencyMax: 10_000,
} as const;
