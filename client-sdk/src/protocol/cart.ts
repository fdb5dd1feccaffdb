import { LIMITS } from './limits.js';
import { Seq, Sku } from './primitives.js';
import * as s from './schema/index.js';

export const Qty = s.int({ min: LIMITS.qtyMin, max: LIMITS.qtyMax });
export const PriceCents = s.int({ min: 0, max: LIMITS.priceCentsMax });
/**
 * No control characters: JSON (and Redis' cjson) escape each to 6 bytes, so a 200-character title of them
 * stored and sent 1.2 KB. Without them a title encodes to at most 3 bytes a character (LIMITS.titleBytes).
 */
export const Title = s.string({ min: 1, max: LIMITS.titleLength, pattern: /^[^\u0000-\u001F\u007F-\u009F]*$/, message: 'must not contain control characters' });
/** An ISO 4217 alphabetic code (`EUR`, `USD`, `JPY`). A cart holds one currency (see `currency_mismatch`). */
export const Currency = s.string({ pattern: /^[A-Z]{3}$/, message: 'must be an ISO 4217 code such as EUR' });

// Control characters would grow several-fold once escaped in stored JSON; lone surrogates cannot be UTF-8.
const PLAIN_TEXT = /^[^\p{Cc}\uD800-\uDFFF]*$/u;
const utf8 = new TextEncoder();

/**
 * Line attributes that make a variant representable (`{size: 'M', colour: 'blue'}`): at most
 * `LIMITS.attributePairs` string pairs, keys like identifiers, values plain text, and bounded in bytes.
 */
export const Attributes = s.refine(
  s.refine(
    s.record(
      s.string({ min: 1, max: LIMITS.attributeKeyLength, pattern: /^[A-Za-z0-9_.-]+$/, message: 'may use only letters, digits and _ . -' }),
      s.string({ max: LIMITS.attributeValueLength, pattern: PLAIN_TEXT, message: 'must not contain control characters' }),
    ),
    (a) => Object.keys(a).length <= LIMITS.attributePairs,
    `must have at most ${LIMITS.attributePairs} entries`,
  ),
  (a) => utf8.encode(JSON.stringify(a)).length <= LIMITS.attributesBytes,
  `must be at most ${LIMITS.attributesBytes} bytes as JSON`,
);
export type Attributes = s.Infer<typeof Attributes>;

export const CartLine = s.object({
  sku: Sku,
  title: Title,
  priceCents: PriceCents,
  qty: Qty,
  /** Absent on client-priced carts that name no currency; a cart's lines all share one value (or absence). */
  currency: s.optional(Currency),
  /** Absent when the line has none. */
  attributes: s.optional(Attributes),
});
export type CartLine = s.Infer<typeof CartLine>;

/**
 * `cart:add`: adds `qty` to the line (creating it; title, price, currency and attributes are taken from the
 * newest add). With `CART_PRICES=signed` the node requires `offer` (a token from the app's backend, see
 * protocol/offer.ts) and takes sku, title, price and currency from it.
 */
export const CartAddRequest = s.object({
  seq: Seq,
  sku: Sku,
  title: Title,
  priceCents: PriceCents,
  qty: Qty,
  currency: s.optional(Currency),
  attributes: s.optional(Attributes),
  offer: s.optional(s.string({ min: 1, max: LIMITS.offerLength })),
});
export type CartAddRequest = s.Infer<typeof CartAddRequest>;

/** `cart:set`: sets the quantity of an existing line; 0 removes it. */
export const CartSetRequest = s.object({
  seq: Seq,
  sku: Sku,
  qty: s.int({ min: 0, max: LIMITS.qtyMax }),
});
export type CartSetRequest = s.Infer<typeof CartSetRequest>;

/** `cart:remove`: removes a line (removing a missing line is a no-op that still commits). */
export const CartRemoveRequest = s.object({ seq: Seq, sku: Sku });
export type CartRemoveRequest = s.Infer<typeof CartRemoveRequest>;

/** `cart:clear`: empties the cart. */
export const CartClearRequest = s.object({ seq: Seq });
export type CartClearRequest = s.Infer<typeof CartClearRequest>;
