import * as z from 'zod';
import { CartLine } from './cart.js';
import { CartFreeze, CheckoutId } from './checkout.js';
import { Sku, VideoId, DeviceId, Epoch, Millis, Seq, Version } from './primitives.js';
import { WatchEntry } from './watch.js';

/**
 * A committed change, as a state delta: applying it twice gives the same state,
 * so a client can rebase its pending mutations on top of the server's state.
 */
export const Op = z.discriminatedUnion('type', [
  /** The line for `sku` is now `line`, or gone when `line` is null. */
  z.strictObject({ type: z.literal('cart:line'), sku: Sku, line: CartLine.nullable() }),
  z.strictObject({ type: z.literal('cart:clear') }),
  /** The entry for the video is now `entry`; `trimmed` entries were dropped to keep the per-user cap. */
  z.strictObject({ type: z.literal('watch'), entry: WatchEntry, trimmed: z.array(VideoId) }),
  /** The video is off this user's watch progress ("continue watching") on every device. */
  z.strictObject({ type: z.literal('watch:remove'), videoId: VideoId }),
  /** The cart is frozen for a checkout (device edits are refused `frozen` until it ends or `expiresAt` passes). */
  z.strictObject({ type: z.literal('cart:freeze'), freeze: CartFreeze }),
  /** The checkout ended: `cleared` when it completed (the order exists, the cart is now empty), else cancelled. */
  z.strictObject({ type: z.literal('cart:unfreeze'), checkoutId: CheckoutId, cleared: z.boolean() }),
  /**
   * A guest's state was merged into this user: the cart is now exactly `cart`, the watch entries listed are
   * now as given, and `trimmed` entries were dropped to keep the cap.
   */
  z.strictObject({ type: z.literal('merge'), cart: z.array(CartLine), watch: z.array(WatchEntry), trimmed: z.array(VideoId) }),
  /** A mutation that changed nothing (a stale watch report, removing a missing line). */
  z.strictObject({ type: z.literal('noop') }),
]);
export type Op = z.infer<typeof Op>;

/** A change as it sits in the user's log and as it is pushed to every device. */
export const Change = z.strictObject({
  epoch: Epoch,
  version: Version,
  deviceId: DeviceId,
  seq: Seq,
  /** Server time of the commit. */
  at: Millis,
  op: Op,
});
export type Change = z.infer<typeof Change>;

/** A user's whole state at one version. */
export const Snapshot = z.strictObject({
  cart: z.array(CartLine),
  watch: z.array(WatchEntry),
  /** Present while a checkout holds the cart (an expired one counts as none: see `freezeHolds`). */
  frozen: CartFreeze.optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** `sync:since`: what changed after `version` of `epoch` (null on a first connect). */
export const SyncRequest = z.strictObject({
  since: z.strictObject({ epoch: Epoch, version: Version }).nullable(),
});
export type SyncRequest = z.infer<typeof SyncRequest>;

/**
 * Why a snapshot replaces the state of a client that was not behind: the store went back in time (a failover
 * to a replica that missed writes, a restart from an older backup). Versions `fromVersion..toVersion` of
 * `epoch`, which this client had seen, are gone from the server; acknowledged changes among them are lost.
 */
export const SyncReset = z.strictObject({
  reason: z.literal('store_regressed'),
  epoch: Epoch,
  fromVersion: Version,
  toVersion: Version,
});
export type SyncReset = z.infer<typeof SyncReset>;

/** Either the missing changes in order, or a snapshot when the log no longer reaches back or the epoch differs. */
export const SyncPayload = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('changes'), epoch: Epoch, version: Version, changes: z.array(Change) }),
  z.strictObject({ kind: z.literal('snapshot'), epoch: Epoch, version: Version, state: Snapshot, reset: SyncReset.optional() }),
]);
export type SyncPayload = z.infer<typeof SyncPayload>;
