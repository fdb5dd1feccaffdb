import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintOffer } from '../../client-sdk/src/offers/mint-offer.ts';
import type { CartAddRequest, Offer } from '../../client-sdk/src/protocol/index.ts';
import { createOfferVerifier } from '../../server/offers/offer-verifier.ts';
import { SyncError } from '../../server/errors.ts';

const SECRET = 'offer-secret-0123456789abcdef-0123456789';
const NOW = 1_800_000_000_000;
const verifier = createOfferVerifier(new TextEncoder().encode(SECRET), () => NOW);
const offer: Offer = { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, currency: 'EUR', expiresAt: NOW + 60_000 };
const add = (token?: string): CartAddRequest => ({ seq: 1, sku: 'tv-55', title: 'cheap TV', priceCents: 1, qty: 1, ...(token ? { offer: token } : {}) });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SyncError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('offer tokens', () => {
  it('minted by the SDK helper (WebCrypto) verify on the node (node:crypto), which takes title, price and currency from them', async () => {
    const token = await mintOffer(SECRET, offer);
    expect(verifier.apply(add(token), 'alice')).toEqual({ ...add(token), title: 'TV 55"', priceCents: 49_900, currency: 'EUR' });
  });

  it('follow the documented format: base64url JSON, a dot, base64url HMAC-SHA256 of the first segment', async () => {
    const [payload = '', signature, extra] = (await mintOffer(SECRET, offer)).split('.');
    expect(extra).toBeUndefined();
    expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual(offer);
    expect(signature).toBe(createHmac('sha256', SECRET).update(payload).digest('base64url'));
    // A backend in another language mints the same way (any key order): the node accepts it.
    const own = Buffer.from(JSON.stringify({ expiresAt: offer.expiresAt, title: offer.title, currency: 'EUR', priceCents: 49_900, sku: 'tv-55' })).toString('base64url');
    const token = `${own}.${createHmac('sha256', SECRET).update(own).digest('base64url')}`;
    expect(verifier.apply(add(token), 'alice')).toMatchObject({ priceCents: 49_900, currency: 'EUR' });
  });

  it('are refused forbidden when missing, forged, tampered with, expired, for another sku or bound to another user', async () => {
    const token = await mintOffer(SECRET, offer);
    const [payload = '', signature = ''] = token.split('.');
    const cheaper = Buffer.from(JSON.stringify({ ...offer, priceCents: 1 })).toString('base64url');
    expect(codeOf(() => verifier.apply(add(), 'alice'))).toMatch(/^forbidden: prices are signed/);
    expect(codeOf(() => verifier.apply(add(`${cheaper}.${signature}`), 'alice'))).toBe('forbidden: the offer is forged');
    expect(codeOf(() => verifier.apply(add(`${payload}.${Buffer.alloc(32).toString('base64url')}`), 'alice'))).toBe('forbidden: the offer is forged');
    expect(codeOf(() => verifier.apply(add(`${payload}.${signature.slice(2)}`), 'alice'))).toBe('forbidden: the offer is forged');
    const foreign = await mintOffer('another-secret-0123456789abcdef-012345', offer);
    expect(codeOf(() => verifier.apply(add(foreign), 'alice'))).toBe('forbidden: the offer is forged');
    for (const malformed of ['', 'nodot', '.sig', `${payload}.`, `${payload}.${signature}.x`, `a b.${signature}`]) {
      expect(codeOf(() => verifier.apply({ ...add(), offer: malformed || 'x' }, 'alice'))).toMatch(/^forbidden: the offer is (malformed|forged)/);
    }
    const notJson = Buffer.from('not json').toString('base64url');
    const notJsonSigned = `${notJson}.${createHmac('sha256', SECRET).update(notJson).digest('base64url')}`;
    expect(codeOf(() => verifier.apply(add(notJsonSigned), 'alice'))).toBe('forbidden: the offer is malformed');
    const expired = await mintOffer(SECRET, { ...offer, expiresAt: NOW });
    expect(codeOf(() => verifier.apply(add(expired), 'alice'))).toMatch(/^forbidden: the offer expired/);
    expect(codeOf(() => verifier.apply({ ...add(token), sku: 'radio' }, 'alice'))).toBe('forbidden: the offer is for tv-55, not radio');
    const personal = await mintOffer(SECRET, { ...offer, userId: 'alice' });
    expect(codeOf(() => verifier.apply(add(personal), 'alice'))).toBe('accepted');
    expect(codeOf(() => verifier.apply(add(personal), 'mallory'))).toBe('forbidden: the offer is for another user');
  });

  it('cannot be minted from an offer outside the protocol bounds', async () => {
    await expect(mintOffer(SECRET, { ...offer, currency: 'euro' })).rejects.toThrow();
    await expect(mintOffer(SECRET, { ...offer, priceCents: -1 })).rejects.toThrow();
  });
});
