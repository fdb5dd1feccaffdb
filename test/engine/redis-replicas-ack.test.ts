import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../server/engine/engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, expectCode, ROOMY, snapshotOf, uniqueUser } from './contract/harness.ts';

describe('redis engine with REDIS_MIN_REPLICAS_ACK', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let engine: Engine;

  beforeAll(async () => {
    primary = await startRedis();
    // No fsync on the replica: its acknowledgement only has to follow the primary, on a busy machine too.
    replica = await startRedis({ appendOnly: false, args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    const probe = new Redis(primary.url);
    await vi.waitFor(async () => expect(await probe.info('replication')).toMatch(/slave0:.*state=online/), { timeout: 10_000, interval: 50 });
    probe.disconnect();
    const redis = createRedisClient({ url: primary.url, role: 'commands', commandTimeoutMs: 5000 });
    await waitForReady(redis);
    // 2 s: a bound generous enough for a loaded CI machine (300 ms saw 0 replicas once there); a stopped
    // replica still answers unavailable, only later.
    engine = createRedisEngine({ ...ROOMY, redis, commandTimeoutMs: 5000, replicas: { count: 1, timeoutMs: 2000 } });
  });
  afterAll(async () => {
    replica?.signal('SIGCONT');
    await engine?.close();
    await Promise.all([primary?.stop(), replica?.stop()]);
  });

  it('acknowledges a mutation once the replica has it, and answers unavailable when it cannot; the retry applies once', async () => {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    const first = await phone.add('a');
    expect(first).toMatchObject({ duplicate: false, version: 1 });
    const onReplica = new Redis(replica.url);
    try {
      expect(await onReplica.hget(`{u:${user}}:meta`, 'version')).toBe('1');
    } finally {
      onReplica.disconnect();
    }

    replica.signal('SIGSTOP');
    const request = { sku: 'b', title: 'B', priceCents: 1, qty: 1 };
    await expectCode(phone.sendAt(2, 'cart:add', request), 'unavailable');
    // Committed on the primary, not acknowledged: the retry is answered as a duplicate once replicated, and
    // carries the change for the node to push (nobody was told of it: its first answer was `unavailable`).
    replica.signal('SIGCONT');
    const retry = await vi.waitFor(() => phone.sendAt(2, 'cart:add', request), { timeout: 10_000, interval: 50 });
    expect(retry).toMatchObject({ duplicate: true, version: 2, unpushed: { version: 2, deviceId: 'phone', seq: 2, op: { type: 'cart:line', sku: 'b' } } });
    expect((await snapshotOf(engine, user)).state.cart.map((l) => l.sku)).toEqual(['a', 'b']);
  });

  it('never has the script publish a change: the node pushes it once the replica has it', async () => {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    const fanout = { channel: `{u:${user}}:fanout-test`, prefix: '', suffix: '' };
    const listener = new Redis(primary.url);
    const heard: string[] = [];
    try {
      await listener.ssubscribe(fanout.channel);
      listener.on('smessage', (_channel: string, message: string) => heard.push(message));
      const committed = await engine.mutate(phone.actor, { event: 'cart:add', request: { seq: 1, sku: 'a', title: 'A', priceCents: 1, qty: 1 } }, fanout);
      expect(committed).toMatchObject({ duplicate: false, version: 1 });
      expect(committed.published).not.toBe(true);
      // A publish from the script would have reached the listener before the script's answer (same server, in order).
      expect(await listener.call('PING')).toBe('PONG');
      expect(heard).toEqual([]);
    } finally {
      listener.disconnect();
    }
  });

  it('acknowledges a push once the replica has all of it; a push it cannot confirm is retried whole, once', async () => {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    const add = (seq: number, sku: string) => ({ event: 'cart:add' as const, request: { seq, sku, title: sku, priceCents: 1, qty: 1 } });
    expect((await phone.pushAt([add(1, 'a'), add(2, 'b')])).results).toHaveLength(2);
    replica.signal('SIGSTOP');
    await expectCode(phone.pushAt([add(3, 'c'), add(4, 'd')]), 'unavailable');
    replica.signal('SIGCONT');
    const retry = await vi.waitFor(() => phone.pushAt([add(3, 'c'), add(4, 'd')]), { timeout: 10_000, interval: 50 });
    expect(retry.results.map((r) => [r.duplicate, r.unpushed?.version])).toEqual([
      [true, 3],
      [true, 4],
    ]);
    expect((await snapshotOf(engine, user)).state.cart.map((l) => l.sku)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('passes refusals through unchanged', async () => {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    await expectCode(phone.send('cart:set', { sku: 'missing', qty: 2 }), 'not_found');
  });
});
