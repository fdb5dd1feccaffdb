import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { adminContract } from './admin-contract.ts';

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

/** Every key of the user (SCAN over the keyspace) and its entries in the shared presence index. */
async function keysOf(userId: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await probe.scan(cursor, 'MATCH', `*${userId}*`, 'COUNT', '1000');
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  const presence = await probe.zrange('{presence}', '0', '-1');
  return [...found, ...presence.filter((m) => m.startsWith(`${userId}\n`)).map((m) => `{presence} ${m}`)];
}

adminContract('redis', () => ({ env: () => ({ REDIS_URL: server.url }), keysOf }));
