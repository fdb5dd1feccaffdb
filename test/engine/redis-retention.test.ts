import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, ROOMY, uniqueUser } from './contract/harness.ts';
import { scanKeys } from '../support/user-keys.ts';
import { newCommandsClient } from './redis-target.ts';

let server: RedisServer;
let probe: Redis;

beforeAll(async () => {
  server = await startRedis({ appendOnly: false });
  probe = new Redis(server.url);
});
afterAll(async () => {
  probe?.disconnect();
  await server?.stop();
});

const keysOf = async (user: string) => (await scanKeys(probe, `{u:${user}}*`)).sort();

describe('retention on Redis', () => {
  it('gives every key of the user a TTL on a write, and SCAN finds none of them once it ran out', async () => {
    const redis = newCommandsClient({ connection: { url: server.url }, wipe: async () => {} });
    await waitForReady(redis);
    const engine = createRedisEngine({ ...ROOMY, redis });
    try {
      const user = uniqueUser();
      const guest = uniqueUser();
      const phone = await connect(engine, user, 'phone', { retentionMs: 60_000 });
      await phone.add('tea');
      await phone.send('watch:report', { videoId: 'film', positionSec: 1, durationSec: 10, at: Date.now() - 1000, kind: 'progress' });
      await connect(engine, user, 'old-tv', { retentionMs: 60_000 });
      await engine.revoke(user, { deviceId: 'old-tv' });
      await (await connect(engine, guest, 'phone')).add('cake');
      await engine.mergeInto(user, { fromUserId: guest, mode: 'merge', quantities: 'sum' }, { writerId: 'backend', retentionMs: 60_000 });
      await phone.add('mug');
      const keys = await keysOf(user);
      expect(keys.length).toBeGreaterThanOrEqual(9);
      for (const key of keys) expect(await probe.pttl(key), key).toBeGreaterThan(0);

      const short = uniqueUser();
      const tv = await connect(engine, short, 'tv', { retentionMs: 500 });
      await tv.add('tea');
      expect((await keysOf(short)).length).toBeGreaterThan(0);
      await vi.waitFor(async () => expect(await keysOf(short)).toEqual([]), { timeout: 10_000, interval: 100 });
    } finally {
      await engine.close();
    }
  });

  it('refreshes the TTL of every key of the user on a backend write and on a revoke', async () => {
    const redis = newCommandsClient({ connection: { url: server.url }, wipe: async () => {} });
    await waitForReady(redis);
    const engine = createRedisEngine({ ...ROOMY, redis });
    const shorten = async (keys: string[]) => {
      for (const key of keys) await probe.pexpire(key, 5_000);
    };
    const expectKept = async (keys: string[]) => {
      for (const key of keys) expect(await probe.pttl(key), key).toBeGreaterThan(30_000);
    };
    try {
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone', { retentionMs: 60_000 });
      await connect(engine, user, 'tv', { retentionMs: 60_000 });
      await phone.add('tea');
      const write = (key: string, ops: Parameters<typeof engine.backend.write>[0]['ops']) =>
        engine.backend.write({ userId: user, writer: 'backend-orders', idempotency: { key, requestHash: key }, ifMatch: null, ops, retentionMs: 60_000 });
      await write('k1', [{ type: 'watch:set', videoId: 'film', positionSec: 5, durationSec: 100 }]);
      const keys = await keysOf(user);
      expect(keys.length).toBeGreaterThanOrEqual(9);

      await shorten(keys);
      await write('k2', [{ type: 'cart:set', sku: 'tea', qty: 3 }]);
      await expectKept(keys);

      await shorten(keys);
      await write('k3', [{ type: 'device:remove', deviceId: 'tv' }]);
      await expectKept(await keysOf(user));

      await shorten(await keysOf(user));
      await engine.revoke(user, { deviceId: 'phone', retentionMs: 60_000 });
      await expectKept(await keysOf(user));

      await shorten(await keysOf(user));
      await engine.revoke(user, { retentionMs: 60_000 });
      await expectKept(await keysOf(user));
    } finally {
      await engine.close();
    }
  });
});
