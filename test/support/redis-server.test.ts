import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from './redis-server.ts';

describe('test redis-server harness', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('keeps acknowledged writes across a kill -9 and loses them on a wiped restart', async () => {
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('k', 'v');
    client.disconnect();
    await server.restart();
    const again = new Redis(server.url);
    expect(await again.get('k')).toBe('v');
    again.disconnect();
    await server.restart({ wipe: true });
    const wiped = new Redis(server.url);
    expect(await wiped.get('k')).toBeNull();
    wiped.disconnect();
  });
});
