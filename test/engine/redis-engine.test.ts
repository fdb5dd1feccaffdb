import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { engineContract, type ContractTarget } from './engine-contract.ts';
import { redisTarget } from './redis-target.ts';

let server: RedisServer;
let target: ContractTarget;

beforeAll(async () => {
  server = await startRedis({ appendOnly: false });
  target = redisTarget({ connection: { url: server.url }, wipe: () => server.restart({ wipe: true }) });
});
afterAll(async () => {
  await server?.stop();
});

engineContract('redis', () => target);
