import { describe, expect, it, vi } from 'vitest';
import type { GatewayProcess } from '../support/gateway-process.ts';
import { useRedisNodes } from './redis-nodes.ts';
import { call, nextPush, ok } from './helpers.ts';

const nodes = useRedisNodes({ prefix: 'outage' });
const device = (node: GatewayProcess, deviceId: string) => nodes.device(node, 'quinn', deviceId);

describe('a Redis outage', () => {
  it('answers unavailable while Redis is away, keeps sockets open, and resumes cross-node fan-out on its own', async () => {
    const phone = await device(nodes.one, 'quinn-phone');
    const laptop = await device(nodes.two, 'quinn-laptop');
    await ok(phone, 'cart:add', { seq: 1, sku: 'before', title: 'T', priceCents: 1, qty: 1 });

    await nodes.redis.kill();
    expect(await call(phone, 'cart:add', { seq: 2, sku: 'during', title: 'T', priceCents: 1, qty: 1 })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    await vi.waitFor(async () => expect((await fetch(`${nodes.one.url}/readyz`)).status).toBe(503), { timeout: 10_000, interval: 100 });
    expect((await fetch(`${nodes.one.url}/healthz`)).status).toBe(200);
    expect(phone.connected && laptop.connected).toBe(true);

    await nodes.redis.restart();
    await vi.waitFor(async () => expect((await fetch(`${nodes.two.url}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });

    // The adapter's subscriptions come back with the connection: a write on node 1 reaches node 2 again.
    let seq = 1;
    await vi.waitFor(
      async () => {
        seq++;
        const arrives = nextPush(laptop, 'change', (c) => c.seq === seq, 1000);
        await ok(phone, 'cart:add', { seq, sku: 'after', title: 'T', priceCents: 1, qty: 1 });
        await arrives;
      },
      { timeout: 20_000, interval: 200 },
    );
    const state = await ok(laptop, 'sync:since', { since: null });
    expect(state.sync.kind === 'snapshot' && state.sync.state.cart.map((l) => l.sku).sort()).toEqual(['after', 'before']);
  });
});
