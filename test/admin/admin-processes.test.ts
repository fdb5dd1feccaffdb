import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { connect, nextPush, ok, type ClientSocket } from '../gateway/helpers.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { keysOfUser } from '../support/user-keys.ts';
import { api, TEST_API_KEYS } from './admin-node.ts';

/**
 * A TCP proxy in front of Redis that can hold back Redis' answers: what the node sent still reaches Redis
 * (and commits), the node never hears back. Lets a test kill the node between a commit and its answer.
 */
async function startHoldingProxy(target: number): Promise<{ url: string; hold(): void; close(): Promise<void> }> {
  let holding = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = netConnect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (bytes) => upstream.write(bytes));
    upstream.on('data', (bytes) => {
      if (!holding) client.write(bytes);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => {
      holding = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const env = { API_KEYS: TEST_API_KEYS, RATE_LIMIT_PER_SEC: '1000', RATE_LIMIT_BURST: '1000' };
const user = () => `p-${randomBytes(5).toString('hex')}`;
const line = (sku: string) => ({ sku, title: `Item ${sku}`, priceCents: 100, qty: 1 });

describe('backend API on real gateway processes', () => {
  let redis: RedisServer;
  let probe: Redis;
  let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
  let held: GatewayProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    probe = new Redis(redis.url);
    proxy = await startHoldingProxy(Number(new URL(redis.url).port));
    [a, b, held] = await Promise.all([
      startGateway({ redisUrl: redis.url, nodeId: 'api-a', env }),
      startGateway({ redisUrl: redis.url, nodeId: 'api-b', env }),
      // Its commands wait for Redis as long as the test needs (a held answer must not time out first).
      startGateway({ redisUrl: proxy.url, nodeId: 'api-held', env: { ...env, REDIS_COMMAND_TIMEOUT_MS: '60000' } }),
    ]);
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([a?.stop(), b?.stop(), held?.kill('SIGKILL')]);
    await proxy?.close();
    probe?.disconnect();
    await redis?.stop();
  });

  const device = async (node: GatewayProcess, userId: string, deviceId: string) => {
    const socket = await connect(node.url, { token: await mintToken({ userId }), deviceId });
    sockets.push(socket);
    await ok(socket, 'sync:since', { since: null });
    return socket;
  };

  it('delivers an API write made on one node live to a device on another', async () => {
    const id = user();
    const phone = await device(b, id, 'phone');
    const pushed = nextPush(phone, 'change');
    const res = await api(a.adminUrl, 'POST', `/v1/users/${id}/cart/lines`, { body: line('tea') });
    expect(res.status).toBe(200);
    expect(await pushed).toMatchObject({ version: 1, deviceId: 'backend-orders', op: { type: 'cart:line', sku: 'tea' } });
  });

  it('erases a user: sockets on every node end with reason erased, and no key of the user is left', async () => {
    const id = user();
    const phone = await device(a, id, 'phone');
    const laptop = await device(b, id, 'laptop');
    await api(a.adminUrl, 'POST', `/v1/users/${id}/cart/lines`, { body: line('x') });
    await api(b.adminUrl, 'PUT', `/v1/users/${id}/watch/ep1`, { body: { positionSec: 5, durationSec: 100 } });
    const endings = Promise.all([nextPush(phone, 'session:ending'), nextPush(laptop, 'session:ending')]);
    expect((await api(b.adminUrl, 'DELETE', `/v1/users/${id}`)).body).toMatchObject({ erased: true });
    expect((await endings).map((e) => e.reason)).toEqual(['erased', 'erased']);
    const leftovers = () => keysOfUser(probe, id);
    // The sockets' own disconnect bookkeeping runs after the erase; it must not bring keys back either.
    await expect.poll(leftovers, { timeout: 10_000 }).toEqual([]);
    expect((await api(a.adminUrl, 'GET', `/v1/users/${id}`)).status).toBe(404);
  });

  it('answers a repeat after kill -9 between the commit and the answer with the first result, applied once', async () => {
    const id = user();
    const key = randomUUID();
    proxy.hold();
    const lost = api(held.adminUrl, 'POST', `/v1/users/${id}/cart/lines`, { body: line('once'), idempotencyKey: key }).then(
      () => 'answered',
      () => 'no answer',
    );
    // The commit is visible in Redis while the node still waits for the script's answer.
    await expect.poll(() => probe.hget(`{u:${id}}:meta`, 'version'), { timeout: 15_000 }).toBe('1');
    await held.kill('SIGKILL');
    expect(await lost).toBe('no answer');

    const repeat = await api<{ version: number; fromVersion: number }>(a.adminUrl, 'POST', `/v1/users/${id}/cart/lines`, { body: line('once'), idempotencyKey: key });
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body).toMatchObject({ version: 1, fromVersion: 0 });
    const state = await api<{ version: number; cart: Array<{ sku: string; qty: number }> }>(b.adminUrl, 'GET', `/v1/users/${id}`);
    expect(state.body).toMatchObject({ version: 1, cart: [{ sku: 'once', qty: 1 }] });
    const changes = await api<{ changes: Change[] }>(b.adminUrl, 'GET', `/v1/users/${id}/changes`);
    expect(changes.body.changes).toHaveLength(1);
  });
});
