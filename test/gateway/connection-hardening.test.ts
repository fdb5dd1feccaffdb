import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, disconnected, ok, openSocket, refusal, type ClientSocket } from './helpers.ts';

let redis: RedisServer;
let n1: GatewayProcess;
let n2: GatewayProcess;
const sockets: ClientSocket[] = [];
const keep = (s: ClientSocket) => {
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  redis = await startRedis();
  const env = { MAX_SOCKETS_PER_USER: '3', RATE_LIMIT_PER_SEC: '1000', RATE_LIMIT_BURST: '1000' };
  [n1, n2] = await Promise.all([startGateway({ redisUrl: redis.url, nodeId: 'ch-1', env }), startGateway({ redisUrl: redis.url, nodeId: 'ch-2', env })]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([n1?.kill(), n2?.kill()]);
  await redis?.stop();
});

describe('one connection per device', () => {
  it('closes the older connection of a device (session:ending superseded) on another node, and the newer one works', async () => {
    const token = await mintToken({ userId: 'sam', deviceId: 'sam-phone' });
    const older = keep(await connect(n1.url, { token, deviceId: 'sam-phone' }));
    const endings: string[] = [];
    older.on('session:ending', (e) => endings.push(e.reason));
    const gone = disconnected(older);
    const newer = keep(await connect(n2.url, { token, deviceId: 'sam-phone' }));
    expect(await gone).toBe('io server disconnect');
    expect(endings).toEqual(['superseded']);
    expect((await ok(newer, 'cart:add', { seq: 1, sku: 'a', title: 'A', priceCents: 1, qty: 1 })).duplicate).toBe(false);
    expect(newer.connected).toBe(true);
  });

  it('leaves one socket of 40 handshakes of one device, and pushes the device list O(N) times, not O(N²)', async () => {
    const token = await mintToken({ userId: 'hydra' });
    const watcher = keep(await connect(n1.url, { token, deviceId: 'hydra-watch' }));
    let pushes = 0;
    watcher.on('devices', () => (pushes += 1));
    const opened = Array.from({ length: 40 }, (_, i) => keep(openSocket((i % 2 ? n1 : n2).url, { token, deviceId: 'hydra-head' })));
    let counted = 0;
    for (const s of opened) s.on('devices', () => (counted += 1));
    await vi.waitFor(() => expect(opened.filter((s) => s.connected || s.active).length).toBeLessThanOrEqual(1), { timeout: 20_000, interval: 100 });
    const alive = opened.filter((s) => s.connected);
    expect(alive.length).toBeLessThanOrEqual(1);
    expect(watcher.connected).toBe(true);
    expect(pushes + counted).toBeLessThanOrEqual(4 * opened.length);
  });
});

describe('sockets per user', () => {
  it('refuses a user its fourth socket on one node with MAX_SOCKETS_PER_USER=3 (devices of one user)', async () => {
    const token = await mintToken({ userId: 'many' });
    for (const d of ['m1', 'm2', 'm3']) keep(await connect(n1.url, { token, deviceId: d }));
    expect(await refusal(n1.url, { token, deviceId: 'm4' })).toMatchObject({ code: 'rate_limited' });
    // The cap is per node: another node takes it.
    const elsewhere = keep(await connect(n2.url, { token, deviceId: 'm4' }));
    expect((await call(elsewhere, 'devices:list', {})).ok).toBe(true);
  });
});

describe('revocation', () => {
  it('signing a device out revokes its token: the same token (no did) cannot come back as another device; a fresh one can', async () => {
    const token = await mintToken({ userId: 'tess' });
    const first = keep(await connect(n1.url, { token, deviceId: 'tess-a' }));
    await ok(first, 'auth:sign-out', { scope: 'device' });
    expect(await refusal(n2.url, { token, deviceId: 'tess-b' })).toMatchObject({ code: 'unauthorized' });
    const fresh = keep(await connect(n2.url, { token: await mintToken({ userId: 'tess' }), deviceId: 'tess-b' }));
    expect((await call(fresh, 'devices:list', {})).ok).toBe(true);
  });

  it('ends a session whose revocation no signal carried (written straight to the store) within one presence tick', async () => {
    const reader = keep(await connect(n1.url, { token: await mintToken({ userId: 'rhea' }), deviceId: 'rhea-a' }));
    const endings: string[] = [];
    reader.on('session:ending', (e) => endings.push(e.reason));
    const gone = disconnected(reader, 25_000);
    const { Redis } = await import('ioredis');
    const direct = new Redis(redis.url);
    await direct.hset('{u:rhea}:revoked', '*', String(Date.now() + 1));
    await direct.quit();
    expect(await gone).toBe('io server disconnect');
    expect(endings).toEqual(['revoked']);
  }, 30_000);

  it('refuses signing out a device the user never had', async () => {
    const s = keep(await connect(n1.url, { token: await mintToken({ userId: 'una' }), deviceId: 'una-a' }));
    expect(await call(s, 'auth:sign-out', { scope: 'device', deviceId: 'made-up' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
