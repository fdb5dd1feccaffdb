import * as z from 'zod';
import { LIMITS } from './limits.js';
import { Seq, Sku } from './primitives.js';

export const Qty = z.number().int().min(LIMITS.qtyMin).max(LIMITS.qtyMax);
export const PriceCents = z.number().int().min(0).max(LIMITS.priceCentsMax);
export const Title = z.string().min(1).max(LIMITS.titleLength);

export const CartLine = z.strictObject({ sku: Sku, title: Title, priceCents: PriceCents, qty: Qty });
export type CartLine = z.infer<typeof CartLine>;

/** `cart:add`: adds `qty` to the line (creating it; title and price are taken from the newest add). */
export const CartAddRequest = z.strictObject({
  seq: Seq,
  sku: Sku,
  title: Title,
  priceCents: PriceCents,
  qty: Qty,
});
export type CartAddRequest = z.infer<typeof CartAddRequest>;

/** `cart:set`: sets the quantity of an existing line; 0 removes it. */
export const CartSetRequest = z.strictObject({
  seq: Seq,
  sku: Sku,
  qty: z.number().int().min(0).max(LIMITS.qtyMax),
});
export type CartSetRequest = z.infer<typeof CartSetRequest>;

/** `cart:remove`: removes a line (removing a missing line is a no-op that still commits). */
export const CartRemoveRequest = z.strictObject({ seq: Seq, sku: Sku });
export type CartRemoveRequest = z.infer<typeof CartRemoveRequest>;

/** `cart:clear`: empties the cart. */
export const CartClearRequest = z.strictObject({ seq: Seq });
export type CartClearRequest = z.infer<typeof CartClearRequest>;
