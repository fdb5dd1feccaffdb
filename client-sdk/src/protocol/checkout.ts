import { Millis } from './primitives.js';
import * as s from './schema/index.js';

/** Names one checkout of a cart (made by the node, or derived from the backend's Idempotency-Key). */
export const CheckoutId = s.string({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/, message: 'may use only letters, digits, _ and -' });

/**
 * A cart frozen for a checkout: while `expiresAt` (server time) is ahead, devices' cart edits are refused
 * `frozen`. A freeze lapses by itself: every reader (both engines and the SDK) treats an expired freeze as
 * none, so a lapse needs no write and no push.
 */
export const CartFreeze = s.object({ checkoutId: CheckoutId, expiresAt: Millis });
export type CartFreeze = s.Infer<typeof CartFreeze>;

/** Whether `freeze` still holds at server time `now`. The one rule every reader applies. */
export function freezeHolds(freeze: CartFreeze | null | undefined, now: number): freeze is CartFreeze {
  return freeze != null && now < freeze.expiresAt;
}
