import { CartLine } from './cart.js';
import { CartFreeze, CheckoutId } from './checkout.js';
import { Sku, VideoId, DeviceId, Epoch, Millis, Seq, Version } from './primitives.js';
import { WatchEntry } from './watch.js';
import * as s from './schema/index.js';

/**
 * A committed change, as a state delta: applying it twice gives the same state,
 * so a client can rebase its pending mutations on top of the server's state.
 */
export const Op = s.union('type', [
  /** The line for `sku` is now `line`, or gone when `line` is null. */
  s.object({ type: s.literal('cart:line'), sku: Sku, line: s.nullable(CartLine) }),
  s.object({ type: s.literal('cart:clear') }),
  /** The entry for the video is now `entry`; `trimmed` entries were dropped to keep the per-user cap. */
  s.object({ type: s.literal('watch'), entry: WatchEntry, trimmed: s.array(VideoId) }),
  /** The video is off this user's watch progress ("continue watching") on every device. */
  s.object({ type: s.literal('watch:remove'), videoId: VideoId }),
  /** The cart is frozen for a checkout (device edits are refused `frozen` until it ends or `expiresAt` passes). */
  s.object({ type: s.literal('cart:freeze'), freeze: CartFreeze }),
  /** The checkout ended: `cleared` when it completed (the order exists, the cart is now empty), else cancelled. */
  s.object({ type: s.literal('cart:unfreeze'), checkoutId: CheckoutId, cleared: s.boolean() }),
  /**
   * A guest's state was merged into this user: the cart is now exactly `cart`, the watch entries listed are
   * now as given, and `trimmed` entries were dropped to keep the cap.
   */
  s.object({ type: s.literal('merge'), cart: s.array(CartLine), watch: s.array(WatchEntry), trimmed: s.array(VideoId) }),
  /** A mutation that changed nothing (a stale watch report, removing a missing line). */
  s.object({ type: s.literal('noop') }),
]);
export type Op = s.Infer<typeof Op>;

/** A change as it sits in the user's log and as it is pushed to every device. */
export const Change = s.object({
  epoch: Epoch,
  version: Version,
  deviceId: DeviceId,
  seq: Seq,
  /** Server time of the commit. */
  at: Millis,
  op: Op,
});
export type Change = s.Infer<typeof Change>;

/** A user's whole state at one version. */
export const Snapshot = s.object({
  cart: s.array(CartLine),
  watch: s.array(WatchEntry),
  /** Present while a checkout holds the cart (an expired one counts as none: see `freezeHolds`). */
  frozen: s.optional(CartFreeze),
});
export type Snapshot = s.Infer<typeof Snapshot>;


/**
 * Why a snapshot replaces the state of a client that was not behind: the store went back in time (a failover
 * to a replica that missed writes, a restart from an older backup). Versions `fromVersion..toVersion` of
 * `epoch`, which this client had seen, are gone from the server; acknowledged changes among them are lost.
 */
export const SyncReset = s.object({
  reason: s.literal('store_regressed'),
  epoch: Epoch,
  fromVersion: Version,
  toVersion: Version,
});
export type SyncReset = s.Infer<typeof SyncReset>;

/** Either the missing changes in order, or a snapshot when the log no longer reaches back or the epoch differs. */
export const SyncPayload = s.union('kind', [
  /** With `more`, the changes stop before `version` (LIMITS.syncBytes): ask again from the last one. */
  s.object({ kind: s.literal('changes'), epoch: Epoch, version: Version, changes: s.array(Change), more: s.optional(s.literal(true)) }),
  s.object({ kind: s.literal('snapshot'), epoch: Epoch, version: Version, state: Snapshot, reset: s.optional(SyncReset) }),
]);
export type SyncPayload = s.Infer<typeof SyncPayload>;
