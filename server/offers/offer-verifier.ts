import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS, Offer, type CartAddRequest } from '../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../errors.ts';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

export interface OfferVerifier {
  /**
   * The `cart:add` with sku, title, price and currency taken from its verified offer. A missing, forged,
   * malformed or expired offer, one for another sku or one bound to another user is refused `forbidden`.
   */
  apply(request: CartAddRequest, userId: string): CartAddRequest;
}

/** Verifies offer tokens (format in client-sdk/src/protocol/offer.ts) locally: one HMAC, no round trip. */
export function createOfferVerifier(secret: Uint8Array, now: () => number = Date.now): OfferVerifier {
  const verify = (token: string): Offer => {
    const dot = token.indexOf('.');
    const payload = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    if (dot <= 0 || token.length > LIMITS.offerLength || !SEGMENT.test(payload) || !SEGMENT.test(signature)) {
      throw new SyncError('forbidden', 'the offer is malformed');
    }
    const expected = createHmac('sha256', secret).update(payload, 'ascii').digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, expected)) throw new SyncError('forbidden', 'the offer is forged');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new SyncError('forbidden', 'the offer is malformed');
    }
    const offer = Offer.safeParse(decoded);
    if (!offer.success) throw new SyncError('forbidden', 'the offer is malformed');
    if (offer.data.expiresAt <= now()) throw new SyncError('forbidden', 'the offer expired; ask the shop for a fresh one');
    return offer.data;
  };
  return {
    apply(request, userId) {
      if (request.offer === undefined) throw new SyncError('forbidden', 'prices are signed here: cart:add needs an offer from the shop');
      const offer = verify(request.offer);
      if (offer.sku !== request.sku) throw new SyncError('forbidden', `the offer is for ${offer.sku}, not ${request.sku}`);
      if (offer.userId !== undefined && offer.userId !== userId) throw new SyncError('forbidden', 'the offer is for another user');
      return { ...request, title: offer.title, priceCents: offer.priceCents, currency: offer.currency };
    },
  };
}
