import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { keysOfUser } from '../support/user-keys.ts';
import { adminContract } from './admin-contract.ts';
import { adminExactlyOnceContract } from './admin-contract-exactly-once.ts';

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

const target = () => ({ env: () => ({ REDIS_URL: server.url }), keysOf: (userId: string) => keysOfUser(probe, userId) });
adminContract('redis', target);
adminExactlyOnceContract('redis', target);
