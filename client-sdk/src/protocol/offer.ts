import { Currency, PriceCents, Title } from './cart.js';
import { Millis, Sku, UserId } from './primitives.js';
import * as s from './schema/index.js';

/**
 * What an offer token vouches for: the app's backend says "this sku costs this much, under this title, until
 * `expiresAt`". With `CART_PRICES=signed` a `cart:add` must carry one and the line takes these values.
 *
 * Token format (any language can mint it): `<payload>.<signature>`, where `payload` is the base64url
 * (no padding) of the UTF-8 JSON of an `Offer`, and `signature` the base64url of HMAC-SHA256 over the
 * payload segment's ASCII bytes, keyed with `OFFER_SECRET`. `mintOffer` in the SDK does exactly this.
 */
export const Offer = s.object({
  sku: Sku,
  priceCents: PriceCents,
  currency: Currency,
  title: Title,
  /** Server time (ms) after which the offer is refused. */
  expiresAt: Millis,
  /** When set, only this user may use the offer (a personal price). */
  userId: s.optional(UserId),
});
export type Offer = s.Infer<typeof Offer>;
