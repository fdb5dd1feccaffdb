import * as z from 'zod';
import { Millis } from './primitives.js';

/** Names one checkout of a cart (made by the node, or derived from the backend's Idempotency-Key). */
export const CheckoutId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

/**
 * A cart frozen for a checkout: while `expiresAt` (server time) is ahead, devices' cart edits are refused
 * `frozen`. A freeze lapses by itself: every reader (both engines and the SDK) treats an expired freeze as
 * none, so a lapse needs no write and no push.
 */
export const CartFreeze = z.strictObject({ checkoutId: CheckoutId, expiresAt: Millis });
export type CartFreeze = z.infer<typeof CartFreeze>;

/** Whether `freeze` still holds at server time `now`. The one rule every reader applies. */
export function freezeHolds(freeze: CartFreeze | null | undefined, now: number): freeze is CartFreeze {
  return freeze != null && now < freeze.expiresAt;
}
