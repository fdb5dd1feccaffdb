import { describe, expect, it } from 'vitest';
import { mintOffer } from '../../client-sdk/src/offers/mint-offer.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { TEST_JWT_SECRET } from '../support/gateway-process.ts';
import { useRedisNodes } from './redis-nodes.ts';
import { call, nextPush, ok } from './helpers.ts';

const OFFER_SECRET = 'shop-offer-secret-0123456789abcdef-xyz';
const SIGNED = { CART_PRICES: 'signed', OFFER_SECRET };

const nodes = useRedisNodes({ prefix: 'signed', env: SIGNED });

describe('CART_PRICES=signed on real gateway processes', () => {
  it('takes the price, title and currency from a valid offer, whatever the device claims, and every node shows it', async () => {
    const phone = await nodes.device(nodes.one, 'shopper', 'phone');
    const laptop = await nodes.device(nodes.two, 'shopper', 'laptop');
    const offer = await mintOffer(OFFER_SECRET, { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, currency: 'EUR', expiresAt: Date.now() + 60_000 });
    const laptopSees = nextPush(laptop, 'change', (c) => c.op.type === 'cart:line');
    const added = await ok(phone, 'cart:add', { seq: 1, sku: 'tv-55', title: 'TV at one cent', priceCents: 1, qty: 1, offer });
    const line = { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, qty: 1, currency: 'EUR' };
    expect(added.change?.op).toEqual({ type: 'cart:line', sku: 'tv-55', line });
    expect((await laptopSees).op).toEqual({ type: 'cart:line', sku: 'tv-55', line });
  });

  it('refuses a missing, forged, expired or foreign offer with forbidden, and the cart stays as it was', async () => {
    const phone = await nodes.device(nodes.one, 'bargain-hunter', 'phone');
    const valid = { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, currency: 'EUR', expiresAt: Date.now() + 60_000 };
    const real = await mintOffer(OFFER_SECRET, valid);
    const cheap = Buffer.from(JSON.stringify({ ...valid, priceCents: 1 })).toString('base64url');
    const attempts = [
      undefined,
      `${cheap}.${real.split('.')[1] ?? ''}`,
      await mintOffer('not-the-shop-secret-0123456789abcdef-xyz', { ...valid, priceCents: 1 }),
      await mintOffer(OFFER_SECRET, { ...valid, expiresAt: Date.now() - 1 }),
      await mintOffer(OFFER_SECRET, { ...valid, userId: 'someone-else' }),
      await mintOffer(OFFER_SECRET, { ...valid, sku: 'radio' }),
    ];
    for (const offer of attempts) {
      const ack = await call(phone, 'cart:add', { seq: 1, sku: 'tv-55', title: 'TV', priceCents: 1, qty: 1, ...(offer ? { offer } : {}) });
      expect(ack.ok ? 'accepted' : ack.error.code).toBe('forbidden');
    }
    const sync = await ok(phone, 'sync:since', { since: null });
    expect(sync.sync.version).toBe(0);
  });

  it('refuses to start with CART_PRICES=signed and no OFFER_SECRET', () => {
    const env = { JWT_SECRET: TEST_JWT_SECRET, CART_PRICES: 'signed' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, OFFER_SECRET: 'short' })).toThrow(/OFFER_SECRET/);
    expect(loadConfig({ JWT_SECRET: TEST_JWT_SECRET }).domain.prices.mode).toBe('client');
  });
});
