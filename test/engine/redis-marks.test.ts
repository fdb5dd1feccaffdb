import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userKeys } from '../../server/engine/redis/keys.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import { connect, uniqueUser, type ContractTarget, ROOMY } from './contract/harness.ts';
import { fillToEveryCap } from './contract/sync-bounds.ts';
import { redisTarget } from './redis-target.ts';

let server: RedisServer;
let target: ContractTarget;
let probe: Redis;

beforeAll(async () => {
  server = await startRedis({ appendOnly: false });
  target = redisTarget({ connection: { url: server.url }, wipe: () => server.restart({ wipe: true }) });
  probe = new Redis(server.url);
});
afterAll(async () => {
  probe?.disconnect();
  await server?.stop();
});

describe('what the Redis engine keeps of a user', () => {
  it('removes both seq fields of an evicted device', async () => {
    const [engine] = await target.createEngines({ rateLimit: { perSecond: 1000, burst: 1000 }, maxDevices: 2 }, 1);
    if (!engine) throw new Error('no engine');
    try {
      const user = uniqueUser();
      const old = await connect(engine, user, 'old');
      await old.add('a');
      expect(Object.keys(await probe.hgetall(userKeys(user).seq)).sort()).toEqual(['old', 'old:v']);
      await connect(engine, user, 'keep');
      await engine.disconnectDevice(user, 'old', old.actor.connId);
      await connect(engine, user, 'new');
      expect(await probe.hgetall(userKeys(user).seq)).toEqual({});
    } finally {
      await engine.close();
    }
  });

  it('holds a revoked hash of at most the marks a live token could still meet', async () => {
    const [engine] = await target.createEngines({ rateLimit: { perSecond: 1000, burst: 1000 }, maxDevices: 10, tokenLifetimeMs: 100 }, 1);
    if (!engine) throw new Error('no engine');
    try {
      const user = uniqueUser();
      for (let i = 0; i < 8; i++) await connect(engine, user, `d${i}`);
      let last = 0;
      for (let i = 0; i < 8; i++) {
        // Each sign-out comes after the previous marks aged past the lifetime.
        while (Date.now() <= last + 150) await new Promise((resolve) => setTimeout(resolve, last + 151 - Date.now()));
        last = await engine.revoke(user, { deviceId: `d${i}`, token: { id: `tok-${i}`, until: Date.now() + 60_000 } });
      }
      const fields = Object.keys(await probe.hgetall(userKeys(user).revoked)).sort();
      // The last device's mark and every token mark still alive; the older device marks are gone.
      expect(fields).toEqual(['d7', ...Array.from({ length: 8 }, (_, i) => `t:tok-${i}`)].sort());
    } finally {
      await engine.close();
    }
  });

  it('stores a user at every cap, with the widest values, within LIMITS.snapshotBytes as Redis encodes it', async () => {
    const [engine] = await target.createEngines(ROOMY, 1);
    if (!engine) throw new Error('no engine');
    try {
      const user = uniqueUser();
      await fillToEveryCap(await connect(engine, user, 'phone'));
      const k = userKeys(user);
      const bytes = async (key: string) => (await probe.hvals(key)).reduce((n, v) => n + Buffer.byteLength(v), 0);
      const [cart, watch] = [await bytes(k.cart), await bytes(k.watch)];
      if (process.env['TANDEM_PRINT_BOUNDS']) console.log({ cart, watch, total: cart + watch });
      expect(cart + watch).toBeLessThanOrEqual(LIMITS.snapshotBytes);
      // Each logged change stays far below a page.
      const log = await probe.lrange(k.log, 0, -1);
      expect(Math.max(...log.map((c) => Buffer.byteLength(c)))).toBeLessThanOrEqual(LIMITS.syncBytes / 64);
    } finally {
      await engine.close();
    }
  });
});
