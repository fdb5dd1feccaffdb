import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, nextPush, ok, type ClientSocket } from './helpers.ts';

let redis: RedisServer;
let node1: GatewayProcess;
let node2: GatewayProcess;
const sockets: ClientSocket[] = [];

async function device(node: GatewayProcess, deviceId: string) {
  const socket = await connect(node.url, { token: await mintToken({ userId: 'quinn', deviceId }), deviceId });
  sockets.push(socket);
  await ok(socket, 'sync:since', { since: null });
  return socket;
}

beforeAll(async () => {
  redis = await startRedis();
  [node1, node2] = await Promise.all([
    startGateway({ redisUrl: redis.url, nodeId: 'outage-1' }),
    startGateway({ redisUrl: redis.url, nodeId: 'outage-2' }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([node1?.kill(), node2?.kill()]);
  await redis?.stop();
});

describe('a Redis outage', () => {
  it('answers unavailable while Redis is away, keeps sockets open, and resumes cross-node fan-out on its own', async () => {
    const phone = await device(node1, 'quinn-phone');
    const laptop = await device(node2, 'quinn-laptop');
    await ok(phone, 'cart:add', { seq: 1, sku: 'before', title: 'T', priceCents: 1, qty: 1 });

    await redis.kill();
    expect(await call(phone, 'cart:add', { seq: 2, sku: 'during', title: 'T', priceCents: 1, qty: 1 })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    await vi.waitFor(async () => expect((await fetch(`${node1.url}/readyz`)).status).toBe(503), { timeout: 10_000, interval: 100 });
    expect((await fetch(`${node1.url}/healthz`)).status).toBe(200);
    expect(phone.connected && laptop.connected).toBe(true);

    await redis.restart();
    await vi.waitFor(async () => expect((await fetch(`${node2.url}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });

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
