import * as z from 'zod';
import { LIMITS } from './limits.js';
import { Seq, Sku } from './primitives.js';

export const Qty = z.number().int().min(LIMITS.qtyMin).max(LIMITS.qtyMax);
export const PriceCents = z.number().int().min(0).max(LIMITS.priceCentsMax);
/**
 * No control characters: JSON (and Redis' cjson) escape each to 6 bytes, so a 200-character title of them
 * stored and sent 1.2 KB. Without them a title encodes to at most 3 bytes a character (LIMITS.titleBytes).
 */
export const Title = z
  .string()
  .min(1)
  .max(LIMITS.titleLength)
  .refine((title) => !/[\u0000-\u001F\u007F-\u009F]/.test(title), 'control characters are not allowed');
/** An ISO 4217 alphabetic code (`EUR`, `USD`, `JPY`). A cart holds one currency (see `currency_mismatch`). */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR');

// Control characters would grow several-fold once escaped in stored JSON; lone surrogates cannot be UTF-8.
const PLAIN_TEXT = /^[^\p{Cc}\uD800-\uDFFF]*$/u;
const utf8 = new TextEncoder();

/**
 * Line attributes that make a variant representable (`{size: 'M', colour: 'blue'}`): at most
 * `LIMITS.attributePairs` string pairs, keys like identifiers, values plain text, and bounded in bytes.
 */
export const Attributes = z
  .record(
    z.string().min(1).max(LIMITS.attributeKeyLength).regex(/^[A-Za-z0-9_.-]+$/),
    z.string().max(LIMITS.attributeValueLength).regex(PLAIN_TEXT, 'control characters are not allowed'),
  )
  .refine((a) => Object.keys(a).length <= LIMITS.attributePairs, `at most ${LIMITS.attributePairs} attributes`)
  .refine((a) => utf8.encode(JSON.stringify(a)).length <= LIMITS.attributesBytes, `attributes exceed ${LIMITS.attributesBytes} bytes`);
export type Attributes = z.infer<typeof Attributes>;

export const CartLine = z.strictObject({
  sku: Sku,
  title: Title,
  priceCents: PriceCents,
  qty: Qty,
  /** Absent on client-priced carts that name no currency; a cart's lines all share one value (or absence). */
  currency: Currency.optional(),
  /** Absent when the line has none. */
  attributes: Attributes.optional(),
});
export type CartLine = z.infer<typeof CartLine>;

/**
 * `cart:add`: adds `qty` to the line (creating it; title, price, currency and attributes are taken from the
 * newest add). With `CART_PRICES=signed` the node requires `offer` (a token from the app's backend, see
 * protocol/offer.ts) and takes sku, title, price and currency from it.
 */
export const CartAddRequest = z.strictObject({
  seq: Seq,
  sku: Sku,
  title: Title,
  priceCents: PriceCents,
  qty: Qty,
  currency: Currency.optional(),
  attributes: Attributes.optional(),
  offer: z.string().min(1).max(LIMITS.offerLength).optional(),
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
