import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintOffer } from '../../client-sdk/src/offers/mint-offer.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { mintToken, startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, nextPush, ok, type ClientSocket } from './helpers.ts';

const OFFER_SECRET = 'shop-offer-secret-0123456789abcdef-xyz';
const SIGNED = { CART_PRICES: 'signed', OFFER_SECRET };

let redis: RedisServer;
let node1: GatewayProcess;
let node2: GatewayProcess;
const sockets: ClientSocket[] = [];

async function device(node: GatewayProcess, userId: string, deviceId: string): Promise<ClientSocket> {
  const socket = await connect(node.url, { token: await mintToken({ userId, deviceId }), deviceId });
  sockets.push(socket);
  await ok(socket, 'sync:since', { since: null });
  return socket;
}

beforeAll(async () => {
  redis = await startRedis();
  [node1, node2] = await Promise.all([
    startGateway({ redisUrl: redis.url, nodeId: 'signed-1', env: SIGNED }),
    startGateway({ redisUrl: redis.url, nodeId: 'signed-2', env: SIGNED }),
  ]);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all([node1?.stop(), node2?.stop()]);
  await redis?.stop();
});

describe('CART_PRICES=signed on real gateway processes', () => {
  it('takes the price, title and currency from a valid offer, whatever the device claims, and every node shows it', async () => {
    const phone = await device(node1, 'shopper', 'phone');
    const laptop = await device(node2, 'shopper', 'laptop');
    const offer = await mintOffer(OFFER_SECRET, { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, currency: 'EUR', expiresAt: Date.now() + 60_000 });
    const laptopSees = nextPush(laptop, 'change', (c) => c.op.type === 'cart:line');
    const added = await ok(phone, 'cart:add', { seq: 1, sku: 'tv-55', title: 'TV at one cent', priceCents: 1, qty: 1, offer });
    const line = { sku: 'tv-55', title: 'TV 55"', priceCents: 49_900, qty: 1, currency: 'EUR' };
    expect(added.change?.op).toEqual({ type: 'cart:line', sku: 'tv-55', line });
    expect((await laptopSees).op).toEqual({ type: 'cart:line', sku: 'tv-55', line });
  });

  it('refuses a missing, forged, expired or foreign offer with forbidden, and the cart stays as it was', async () => {
    const phone = await device(node1, 'bargain-hunter', 'phone');
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
