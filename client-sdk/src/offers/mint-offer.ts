import { Offer } from '../protocol/index.js';

const utf8 = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Mints an offer token for `CART_PRICES=signed`: for the app's BACKEND only (it needs `OFFER_SECRET`, which
 * must never reach a browser or an app). Uses WebCrypto, so it runs on Node 18+, Deno, Bun and edge runtimes.
 *
 * ```ts
 * const offer = await mintOffer(process.env.OFFER_SECRET!, {
 *   sku: 'tv-55', title: 'TV 55"', priceCents: 49900, currency: 'EUR', expiresAt: Date.now() + 10 * 60_000,
 * });
 * ```
 */
export async function mintOffer(secret: string, offer: Offer): Promise<string> {
  const checked = Offer.parse(offer);
  const payload = base64url(utf8.encode(JSON.stringify(checked)));
  const key = await crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(payload)));
  return `${payload}.${base64url(signature)}`;
}
