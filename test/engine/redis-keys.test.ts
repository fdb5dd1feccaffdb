import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Engine } from '../../server/engine/engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, ROOMY, uniqueUser } from './contract/harness.ts';

describe('redis engine keys', () => {
  let server: RedisServer;
  let engine: Engine;
  let probe: Redis;

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
    const redis = createRedisClient({ url: server.url, role: 'commands' });
    await waitForReady(redis);
    engine = createRedisEngine({ ...ROOMY, redis });
    probe = new Redis(server.url);
  });
  afterAll(async () => {
    probe?.disconnect();
    await engine?.close();
    await server?.stop();
  });

  it('writes exactly the keys of docs/architecture.md, all of a user under one hash tag (one Cluster slot: see redis-cluster-engine.test.ts)', async () => {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    await phone.add('a');
    await phone.send('watch:report', { videoId: 'v', positionSec: 1, durationSec: 10, at: Date.now() - 1000, kind: 'progress' });
    // Only a device the store knows can be signed out by id.
    await connect(engine, user, 'tablet');
    await engine.revoke(user, { deviceId: 'tablet' });
    const keys = (await probe.keys(`{u:${user}}:*`)).sort();
    const suffixes = ['cart', 'conn', 'devices', 'log', 'meta', 'revoked', 'seq', 'watch', 'watchz'];
    expect(keys).toEqual(suffixes.map((s) => `{u:${user}}:${s}`));
    expect(await probe.hgetall(`{u:${user}}:seq`)).toEqual({ phone: '2', 'phone:v': '2' });
    expect(await probe.hget(`{u:${user}}:meta`, 'version')).toBe('2');
    // The rate-limit bucket sits in the meta hash, read and written by the mutation script with the version.
    expect(await probe.hmget(`{u:${user}}:meta`, 'tokens', 'ts')).toEqual([expect.stringMatching(/^[0-9.e+]+$/), expect.stringMatching(/^[0-9]+$/)]);
    expect(await probe.zscore('{presence}', `${user}\nphone`)).not.toBeNull();
  });
});
