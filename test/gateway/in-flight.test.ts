import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, ok, type ClientSocket } from './helpers.ts';

// Redis is frozen for the test's middle part: the node must wait for it rather than give up on its calls.
const ENV = { RATE_LIMIT_PER_SEC: '100000', RATE_LIMIT_BURST: '100000', REDIS_COMMAND_TIMEOUT_MS: '30000' };

let redis: RedisServer;
let node: GatewayProcess;
const sockets: ClientSocket[] = [];

async function device(userId: string, deviceId: string) {
  const socket = await connect(node.url, { token: await mintToken({ userId, deviceId }), deviceId });
  sockets.push(socket);
  await ok(socket, 'sync:since', { since: null });
  return socket;
}

beforeAll(async () => {
  redis = await startRedis();
  node = await startGateway({ redisUrl: redis.url, nodeId: 'node-1', env: ENV });
});

afterAll(async () => {
  redis?.signal('SIGCONT');
  for (const s of sockets) s.close();
  await node?.kill();
  await redis?.stop();
});

describe('requests in flight', () => {
  it('refuses a request past the bound per connection, then per user on the node, without waiting for the store', async () => {
    const user = 'ivy';
    const [a, b, c, d] = [await device(user, 'a'), await device(user, 'b'), await device(user, 'c'), await device(user, 'd')];
    redis.signal('SIGSTOP');
    let pending: Array<Promise<unknown>> = [];
    try {
      pending = [a, b, c].flatMap((s) => Array.from({ length: LIMITS.inFlightPerConnection }, () => call(s, 'devices:list', {})));
      const overConnection = await call(a, 'devices:list', {});
      expect(overConnection).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(!overConnection.ok && overConnection.error.message).toMatch(/one connection/);
      // Three connections hold LIMITS.inFlightPerUser between them: a fourth of the user is refused at once.
      expect(3 * LIMITS.inFlightPerConnection).toBe(LIMITS.inFlightPerUser);
      const overUser = await call(d, 'devices:list', {});
      expect(overUser).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(!overUser.ok && overUser.error.message).toMatch(/one user/);
    } finally {
      redis.signal('SIGCONT');
    }
    const answers = (await Promise.all(pending)) as Array<{ ok: boolean }>;
    expect(answers.every((answer) => answer.ok)).toBe(true);
    // Once answered, the bounds are free again.
    expect((await call(d, 'devices:list', {})).ok).toBe(true);
  });
});
