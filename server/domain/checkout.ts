import { freezeHolds, type CartFreeze } from '../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../errors.ts';

/** How a checkout ended, remembered so that a repeated complete or cancel answers the same. */
export interface CheckoutEnd {
  checkoutId: string;
  outcome: 'complete' | 'cancel';
}

/** A device's cart edit is refused while a checkout holds the cart. */
export function assertNotFrozen(freeze: CartFreeze | null, now: number): void {
  if (freezeHolds(freeze, now)) {
    throw new SyncError('frozen', `the cart is frozen for checkout ${freeze.checkoutId} until ${new Date(freeze.expiresAt).toISOString()}`);
  }
}

/**
 * What a freeze request does: `repeat` when this checkout already holds the cart (answer it again),
 * `freeze` otherwise; another checkout that still holds the cart is refused `frozen`, an empty cart `bad_request`.
 * The Lua script `checkout.lua` decides the same way.
 */
export function planFreeze(current: CartFreeze | null, checkoutId: string, now: number, lines: number): 'repeat' | 'freeze' {
  if (freezeHolds(current, now)) {
    if (current.checkoutId === checkoutId) return 'repeat';
    throw new SyncError('frozen', `another checkout (${current.checkoutId}) holds the cart`);
  }
  if (lines === 0) throw new SyncError('bad_request', 'the cart is empty');
  return 'freeze';
}

/**
 * What ending a checkout does: `repeat` when it already ended this way, `end` otherwise; `not_found` for an
 * unknown checkout, `conflict` for one that ended the other way or, to complete, one that lapsed (devices may
 * have changed the cart since: read it again; cancelling a lapsed one is fine).
 */
export function planEnd(
  current: CartFreeze | null,
  last: CheckoutEnd | null,
  checkoutId: string,
  outcome: CheckoutEnd['outcome'],
  now: number,
): 'repeat' | 'end' {
  if (last?.checkoutId === checkoutId) {
    if (last.outcome === outcome) return 'repeat';
    throw new SyncError('conflict', `checkout ${checkoutId} was already ${last.outcome === 'complete' ? 'completed' : 'cancelled'}`);
  }
  if (current?.checkoutId !== checkoutId) throw new SyncError('not_found', `no checkout ${checkoutId}`);
  if (outcome === 'complete' && !freezeHolds(current, now)) throw new SyncError('conflict', `checkout ${checkoutId} lapsed; the cart may have changed`);
  return 'end';
}
