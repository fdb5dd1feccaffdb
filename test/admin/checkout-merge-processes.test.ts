import { describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { call, nextPush, ok, type ClientSocket } from '../gateway/helpers.ts';
import { useRedisNodes } from '../gateway/redis-nodes.ts';
import { api, TEST_API_KEYS } from './admin-node.ts';

const ENV = { API_KEYS: TEST_API_KEYS, RATE_LIMIT_PER_SEC: '10000', RATE_LIMIT_BURST: '10000' };

const nodes = useRedisNodes({ prefix: 'shop', env: ENV });
const push = (socket: ClientSocket, type: Change['op']['type']) => nextPush(socket, 'change', (c) => c.op.type === type);

describe('checkout and guest merge through the backend API, on two real gateway processes', () => {
  it('freezes the cart for every device live, refuses a device edit on the other node with frozen, then completes', async () => {
    const phone = await nodes.device(nodes.one, 'buyer', 'phone');
    const laptop = await nodes.device(nodes.two, 'buyer', 'laptop');
    await ok(phone, 'cart:add', { seq: 1, sku: 'tea', title: 'Tea', priceCents: 350, qty: 2 });
    const phoneFrozen = push(phone, 'cart:freeze');
    const laptopFrozen = push(laptop, 'cart:freeze');
    const started = await api<{ checkoutId: string; version: number; cart: unknown[]; expiresAtMs: number }>(nodes.two.adminUrl, 'POST', '/v1/users/buyer/cart/checkout', {
      idempotencyKey: 'order-1001',
      body: {},
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ version: 2, cart: [{ sku: 'tea', qty: 2, priceCents: 350 }] });
    expect(started.body.expiresAtMs).toBeGreaterThan(Date.now() + 10 * 60_000);
    const seen = await phoneFrozen;
    expect(seen.op).toEqual({ type: 'cart:freeze', freeze: { checkoutId: started.body.checkoutId, expiresAt: started.body.expiresAtMs } });
    expect((await laptopFrozen).version).toBe(2);

    const refused = await call(phone, 'cart:add', { seq: 2, sku: 'cake', title: 'Cake', priceCents: 500, qty: 1 });
    expect(refused.ok ? 'accepted' : refused.error.code).toBe('frozen');
    const snapshot = await ok(laptop, 'sync:since', { since: null });
    expect(snapshot.sync.kind === 'snapshot' && snapshot.sync.state.frozen?.checkoutId).toBe(started.body.checkoutId);

    // The same Idempotency-Key names the same checkout: the answer repeats, nothing is frozen twice.
    const again = await api<{ checkoutId: string; version: number }>(nodes.one.adminUrl, 'POST', '/v1/users/buyer/cart/checkout', { idempotencyKey: 'order-1001', body: {} });
    expect(again.body).toMatchObject({ checkoutId: started.body.checkoutId, version: 2 });

    const phoneDone = push(phone, 'cart:unfreeze');
    const done = await api(nodes.one.adminUrl, 'POST', `/v1/users/buyer/cart/checkout/${started.body.checkoutId}/complete`, { body: {} });
    expect(done.status).toBe(200);
    expect((await phoneDone).op).toEqual({ type: 'cart:unfreeze', checkoutId: started.body.checkoutId, cleared: true });
    const after = await ok(phone, 'cart:add', { seq: 3, sku: 'cake', title: 'Cake', priceCents: 500, qty: 1 });
    expect(after.version).toBe(4);
    const unknown = await api(nodes.two.adminUrl, 'POST', '/v1/users/buyer/cart/checkout/co_nope/cancel', { body: {} });
    expect(unknown.status).toBe(404);
  });

  it("moves a guest's cart into the account live, erases the guest (its socket ends with erased), and a repeat changes nothing", async () => {
    const guestPhone = await nodes.device(nodes.one, 'guest-7f3a', 'phone');
    await ok(guestPhone, 'cart:add', { seq: 1, sku: 'mug', title: 'Mug', priceCents: 900, qty: 1 });
    await ok(guestPhone, 'cart:add', { seq: 2, sku: 'tea', title: 'Tea', priceCents: 350, qty: 1 });
    const laptop = await nodes.device(nodes.two, 'member-42', 'laptop');
    await ok(laptop, 'cart:add', { seq: 1, sku: 'tea', title: 'Tea', priceCents: 350, qty: 2 });
    const merged = push(laptop, 'merge');
    const ending = nextPush(guestPhone, 'session:ending');
    const body = { fromUserId: 'guest-7f3a', mode: 'merge', quantities: 'sum' };
    const first = await api<{ cart: Array<{ sku: string; qty: number }>; duplicate: boolean; version: number }>(nodes.one.adminUrl, 'POST', '/v1/users/member-42/merge', { body });
    expect(first.status).toBe(200);
    expect(first.body.duplicate).toBe(false);
    expect(first.body.cart.map((l) => [l.sku, l.qty])).toEqual([['mug', 1], ['tea', 3]]);
    expect((await merged).op).toMatchObject({ type: 'merge', cart: [{ sku: 'mug' }, { sku: 'tea', qty: 3 }] });
    expect((await ending).reason).toBe('erased');
    expect((await api(nodes.two.adminUrl, 'GET', '/v1/users/guest-7f3a')).status).toBe(404);
    const repeat = await api<{ duplicate: boolean; version: number; cart: unknown[] }>(nodes.two.adminUrl, 'POST', '/v1/users/member-42/merge', { body });
    expect(repeat.body).toMatchObject({ duplicate: true, version: first.body.version, cart: first.body.cart });
  });
});
