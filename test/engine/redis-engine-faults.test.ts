import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../server/engine/engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, expectCode, ROOMY, snapshotOf, uniqueUser } from './contract/harness.ts';

describe('redis engine when Redis fails', () => {
  let server: RedisServer;
  let engine: Engine;

  beforeAll(async () => {
    // Append-only with fsync always: a restart keeps every acknowledged write.
    server = await startRedis({ appendOnly: true });
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    server.signal('SIGCONT');
    await engine?.close();
  });

  const open = async () => {
    const redis = createRedisClient({ url: server.url, role: 'commands', commandTimeoutMs: 1000 });
    await waitForReady(redis);
    engine = createRedisEngine({ ...ROOMY, redis });
    return engine;
  };

  it('answers unavailable while Redis is down (the command deadline, not a hang), and serves again once it is back', async () => {
    await open();
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    await phone.add('a');
    await server.kill();
    await expectCode(phone.add('a'), 'unavailable');
    await expectCode(engine.sync(user, null), 'unavailable');
    await expectCode(engine.ping(), 'unavailable');
    await expectCode(engine.listDevices(user), 'unavailable');
    await server.restart();
    await vi.waitFor(() => engine.ping(), { timeout: 10_000, interval: 50 });
    const after = await phone.add('a');
    expect(after).toMatchObject({ duplicate: false, version: 2 });
    expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(2);
  });

  it('answers unavailable while Redis is frozen, and a retry of that write after it thaws applies it once', async () => {
    await open();
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    server.signal('SIGSTOP');
    const request = { sku: 'a', title: 'A', priceCents: 1, qty: 1 };
    // The script was sent before the timeout fired: Redis may still run it when it resumes.
    await expectCode(phone.sendAt(1, 'cart:add', request), 'unavailable');
    server.signal('SIGCONT');
    const retry = await vi.waitFor(() => phone.sendAt(1, 'cart:add', request), { timeout: 10_000, interval: 50 });
    expect(retry.version).toBe(1);
    expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(1);
  });

  it('keeps the data across a restart, in a new epoch at the same version (a restarted Redis may have gone back in time), and starts over when the data is lost', async () => {
    await open();
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    const { epoch } = await phone.add('a');
    await server.restart();
    await vi.waitFor(() => engine.ping(), { timeout: 10_000, interval: 50 });
    const restarted = await engine.sync(user, { epoch, version: 1 });
    expect(restarted).toMatchObject({ kind: 'snapshot', version: 1, state: { cart: [{ sku: 'a' }] } });
    expect(restarted).not.toHaveProperty('reset');
    expect(restarted.epoch).not.toBe(epoch);
    await server.restart({ wipe: true });
    await vi.waitFor(() => engine.ping(), { timeout: 10_000, interval: 50 });
    const lost = await engine.sync(user, { epoch, version: 1 });
    expect(lost.kind).toBe('snapshot');
    expect(lost.epoch).not.toBe(epoch);
  });

  it('keeps its store id while nothing happens, and changes it on a restart (a new replication history) and when the data is lost', async () => {
    await open();
    const first = await engine.storeId();
    expect(await engine.storeId()).toBe(first);
    await server.restart();
    await vi.waitFor(() => engine.ping(), { timeout: 10_000, interval: 50 });
    const restarted = await engine.storeId();
    expect(restarted).not.toBe(first);
    // The data survived: only the replication part changed.
    expect(restarted.split('/')[0]).toBe(first.split('/')[0]);
    await server.restart({ wipe: true });
    await vi.waitFor(() => engine.ping(), { timeout: 10_000, interval: 50 });
    const after = await engine.storeId();
    expect(after).not.toBe(first);
    expect(await engine.storeId()).toBe(after);
  });
});
