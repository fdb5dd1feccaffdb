import { LIMITS, type CartFreeze, type CartLine, type Change, type Device, type Op, type WatchEntry } from '../../../client-sdk/src/protocol/index.ts';
import { applyCartOp, applyWatchOp, type RemovalMark } from '../../../client-sdk/src/rules/index.ts';
import type { CheckoutEnd } from '../../domain/checkout.ts';
import type { Bucket } from '../../domain/rate-limit.ts';

/** Everything the memory engine keeps for one user (the same content as the user's Redis keys). */
export interface UserState {
  epoch: string;
  version: number;
  cart: Map<string, CartLine>;
  watch: Map<string, WatchEntry>;
  /** videoId → its last removal, at most LIMITS.watchEntries: see reportedBeforeRemoval. */
  watchGone: Map<string, RemovalMark>;
  /** Newest last, at most LIMITS.changeLog. */
  log: Change[];
  /** deviceId → last applied seq and the version it committed at. */
  seqs: Map<string, { seq: number; version: number }>;
  /** deviceId → current connId. */
  conns: Map<string, string>;
  devices: Map<string, Device>;
  /** `*` or deviceId → ms before which tokens are refused. */
  revoked: Map<string, number>;
  bucket: Bucket | undefined;
  /** The checkout holding the cart (it may have lapsed: see freezeHolds). */
  freeze: CartFreeze | null;
  /** How the last checkout ended. */
  checkoutEnd: CheckoutEnd | null;
  /** Guests merged into this user: guest id → when (ms), so a repeated merge changes nothing. */
  merges: Map<string, number>;
  /** Where the previous history of the log ended, after a client showed it had seen further (see SyncReset). */
  fork: { epoch: string; version: number } | null;
  /** The highest lost version already counted, of that history. */
  lostCounted: { epoch: string; version: number } | null;
  /** When the user's data expires without a write or a connect (null: kept). */
  expiresAt: number | null;
}

export function createUserState(epoch: string): UserState {
  return {
    epoch,
    version: 0,
    cart: new Map(),
    watch: new Map(),
    watchGone: new Map(),
    log: [],
    seqs: new Map(),
    conns: new Map(),
    devices: new Map(),
    revoked: new Map(),
    bucket: undefined,
    freeze: null,
    checkoutEnd: null,
    merges: new Map(),
    fork: null,
    lostCounted: null,
    expiresAt: null,
  };
}

/** A write or a connect keeps the user's data for `retentionMs` more (absent or 0: no expiry is set). */
export function retain(state: UserState, retentionMs: number | undefined, now: number): void {
  if (retentionMs !== undefined && retentionMs > 0) state.expiresAt = now + retentionMs;
}

/** Marks the video removed now (Map order is insertion order: past the cap the oldest mark goes). */
export function markRemoved(state: UserState, videoId: string, at: number, by: string): void {
  state.watchGone.delete(videoId);
  state.watchGone.set(videoId, { at, by });
  if (state.watchGone.size > LIMITS.watchEntries) state.watchGone.delete(state.watchGone.keys().next().value ?? '');
}

/** Applies `op` and appends it to the log as the next version, as one step (the caller holds no await between). */
export function commitChange(state: UserState, deviceId: string, seq: number, at: number, op: Op): Change {
  applyCartOp(state.cart, op);
  applyWatchOp(state.watch, op);
  if (op.type === 'watch') state.watchGone.delete(op.entry.videoId);
  if (op.type === 'cart:freeze') state.freeze = { ...op.freeze };
  if (op.type === 'cart:unfreeze') state.freeze = null;
  state.version += 1;
  const change: Change = { epoch: state.epoch, version: state.version, deviceId, seq, at, op };
  state.log.push(change);
  if (state.log.length > LIMITS.changeLog) state.log.splice(0, state.log.length - LIMITS.changeLog);
  return change;
}
