import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, nextPush, ok, type ClientSocket } from './helpers.ts';

/**
 * REDIS_MIN_REPLICAS_ACK on a real node: a change reaches the user's other devices only once a replica has
 * it, and a write first answered `unavailable` (committed, not replicated in time) reaches them when its
 * resend is answered, so a device that only reads is not left behind.
 */
describe('gateway with REDIS_MIN_REPLICAS_ACK=1', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let gw: GatewayProcess;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    primary = await startRedis();
    replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    const probe = new Redis(primary.url);
    try {
      await vi.waitFor(async () => expect(await probe.info('replication')).toMatch(/slave0:.*state=online/), { timeout: 10_000, interval: 50 });
    } finally {
      probe.disconnect();
    }
    gw = await startGateway({ redisUrl: primary.url, env: { REDIS_MIN_REPLICAS_ACK: '1', REDIS_REPLICAS_ACK_TIMEOUT_MS: '200' } });
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    replica?.signal('SIGCONT');
    await gw?.kill();
    await Promise.all([primary?.stop(), replica?.stop()]);
  });

  const device = async (userId: string, deviceId: string) => {
    const socket = await connect(gw.url, { token: await mintToken({ userId, deviceId }), deviceId });
    sockets.push(socket);
    await ok(socket, 'sync:since', { since: null });
    return socket;
  };

  it('pushes a replicated change; the resend of one answered unavailable pushes it to every device of the user', async () => {
    const userId = `durable-${Date.now()}`;
    const phone = await device(userId, 'phone');
    const laptop = await device(userId, 'laptop');
    const add = (seq: number, sku: string) => call(phone, 'cart:add', { seq, sku, title: sku, priceCents: 100, qty: 1 });
    const isSku = (sku: string) => (change: Change) => change.op.type === 'cart:line' && change.op.sku === sku;

    const first = nextPush(laptop, 'change', isSku('a'));
    expect(await add(1, 'a')).toMatchObject({ ok: true, duplicate: false, version: 1 });
    expect((await first).version).toBe(1);

    replica.signal('SIGSTOP');
    const refused = await add(2, 'b');
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    const onLaptop = nextPush(laptop, 'change', isSku('b'));
    const onPhone = nextPush(phone, 'change', isSku('b'));
    replica.signal('SIGCONT');
    const resent = await vi.waitFor(
      async () => {
        const answer = await add(2, 'b');
        if (!answer.ok) throw new Error(answer.error.code);
        return answer;
      },
      { timeout: 10_000, interval: 50 },
    );
    // The ack of a duplicate carries no change (protocol): the push brings it, to the writer too.
    expect(resent).toMatchObject({ ok: true, duplicate: true, version: 2 });
    expect(resent).not.toHaveProperty('change');
    expect(await onLaptop).toMatchObject({ version: 2, deviceId: 'phone', seq: 2 });
    expect(await onPhone).toMatchObject({ version: 2, deviceId: 'phone', seq: 2 });
  });
});
