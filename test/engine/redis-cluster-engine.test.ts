import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Engine } from '../../server/engine/engine.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { userKeys } from '../../server/engine/redis/keys.ts';
import { changeEnvelope } from '../../server/transport/adapter.ts';
import { userRoom } from '../../server/transport/rooms.ts';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.ts';
import { connect, expectCode, ROOMY, snapshotOf, uniqueUser } from './contract/harness.ts';
import { engineContract, type ContractTarget } from './engine-contract.ts';
import { newCommandsClient, redisTarget, type RedisStore } from './redis-target.ts';

let cluster: RedisCluster;
let store: RedisStore;
let target: ContractTarget;

/** A Cluster that lost its data: every master flushed (keys and script cache), the topology kept. */
async function flushAll(): Promise<void> {
  await Promise.all(
    cluster.nodes.map(async (node) => {
      const direct = new Redis(node.url);
      try {
        await direct.flushall();
        await direct.script('FLUSH');
      } finally {
        direct.disconnect();
      }
    }),
  );
}

beforeAll(async () => {
  cluster = await startRedisCluster({ appendOnly: true });
  store = { connection: { clusterNodes: [...cluster.seeds] }, wipe: flushAll };
  target = redisTarget(store);
});
afterAll(async () => {
  await cluster?.stop();
});

engineContract('redis cluster', () => target);

/** A fresh user id whose slot is served by the master on `port`. */
async function userOnNode(port: number): Promise<string> {
  const direct = new Redis(`redis://127.0.0.1:${port}`);
  try {
    const slots = (await direct.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const ranges = slots.filter(([, , [, owner]]) => owner === port);
    for (let i = 0; i < 500; i += 1) {
      const user = uniqueUser();
      const slot = Number(await direct.call('CLUSTER', 'KEYSLOT', userKeys(user).meta));
      if (ranges.some(([from, to]) => slot >= from && slot <= to)) return user;
    }
    throw new Error(`no user found on node ${port}`);
  } finally {
    direct.disconnect();
  }
}

describe('redis engine on a cluster', () => {
  const open = async (): Promise<Engine> => {
    const redis = newCommandsClient(store);
    await waitForReady(redis);
    return createRedisEngine({ ...ROOMY, redis });
  };

  it('keeps every key of a user in one slot, and users spread over the masters', async () => {
    const probe = newCommandsClient(store);
    await waitForReady(probe);
    try {
      const slotOf = async (key: string) => Number(await probe.call('CLUSTER', 'KEYSLOT', key));
      const users = Array.from({ length: 12 }, () => uniqueUser());
      const slots = await Promise.all(users.map(async (user) => new Set(await Promise.all(Object.values(userKeys(user)).map(slotOf)))));
      for (const set of slots) expect(set.size).toBe(1);
      expect(new Set(slots.map((set) => [...set][0])).size).toBeGreaterThan(1);
    } finally {
      probe.disconnect();
    }
  });

  it('answers unavailable for users of a dead master and serves them again once it is back', async () => {
    const engine = await open();
    try {
      const node = cluster.nodes[0];
      if (!node) throw new Error('node');
      const user = await userOnNode(node.port);
      const phone = await connect(engine, user, 'phone');
      await phone.add('a');
      await node.kill();
      await expectCode(phone.add('a'), 'unavailable');
      await node.restart();
      await cluster.waitHealthy();
      // Retried with one seq, as the SDK's outbox does: applied once whatever the failed attempts did.
      const request = { sku: 'a', title: 'A', priceCents: 1, qty: 1 };
      const result = await vi.waitFor(() => phone.sendAt(phone.seq + 1, 'cart:add', request), { timeout: 15_000, interval: 100 });
      expect(result.duplicate).toBe(false);
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(2);
    } finally {
      await engine.close();
    }
  });
});

describe('socket.io sharded adapter on the cluster', () => {
  it('delivers room broadcasts between two nodes with the publisher and subscriber clients', async () => {
    const closers: (() => Promise<void> | void)[] = [];
    try {
      const nodes: { http: HttpServer; io: Server }[] = [];
      for (let i = 0; i < 2; i += 1) {
        const pub = createRedisClient({ clusterNodes: [...cluster.seeds], role: 'publisher' });
        const sub = createRedisClient({ clusterNodes: [...cluster.seeds], role: 'subscriber' });
        closers.push(() => pub.disconnect(), () => sub.disconnect());
        await Promise.all([waitForReady(pub), waitForReady(sub)]);
        const http = createServer();
        const io = new Server(http, { transports: ['websocket'], adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }) });
        io.on('connection', (socket) => void socket.join('u:cluster-user'));
        await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
        nodes.push({ http, io });
        closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
      }
      const [nodeA, nodeB] = nodes;
      if (!nodeA || !nodeB) throw new Error('nodes');
      const socket: Socket = ioClient(`http://127.0.0.1:${(nodeB.http.address() as AddressInfo).port}`, { forceNew: true, transports: ['websocket'] });
      closers.push(() => void socket.disconnect());
      const received: string[] = [];
      socket.on('change', (message: string) => received.push(message));
      await vi.waitFor(
        () => {
          nodeA.io.to('u:cluster-user').emit('change', 'hello');
          expect(received).toContain('hello');
        },
        { timeout: 15_000, interval: 100 },
      );
      expect(await nodeA.io.of('/').adapter.serverCount()).toBe(2);
    } finally {
      for (const close of closers.reverse()) await close();
    }
  });
});

describe('the change published by the mutation script', () => {
  it('reaches the user room on another socket.io node through the Cluster, for users on every master, and a resend publishes nothing', async () => {
    const closers: (() => Promise<void> | void)[] = [];
    try {
      const pub = createRedisClient({ clusterNodes: [...cluster.seeds], role: 'publisher' });
      const sub = createRedisClient({ clusterNodes: [...cluster.seeds], role: 'subscriber' });
      const commands = newCommandsClient(store);
      closers.push(() => pub.disconnect(), () => sub.disconnect());
      await Promise.all([waitForReady(pub), waitForReady(sub), waitForReady(commands)]);
      const engine = createRedisEngine({ ...ROOMY, redis: commands });
      closers.push(() => engine.close());
      const http = createServer();
      const io = new Server(http, { transports: ['websocket'], adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }) });
      io.on('connection', (socket) => void socket.join(userRoom(String(socket.handshake.auth.user))));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

      for (const node of cluster.nodes) {
        const user = await userOnNode(node.port);
        const socket: Socket = ioClient(url, { forceNew: true, transports: ['websocket'], auth: { user } });
        closers.push(() => void socket.disconnect());
        const received: Change[] = [];
        socket.on('change', (change: Change) => received.push(change));
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        await io.of('/').adapter.serverCount();
        const phone = await connect(engine, user, 'phone');
        const send = (seq: number) =>
          engine.mutate(phone.actor, { event: 'cart:add', request: { seq, sku: 'a', title: 'A', priceCents: 1, qty: 1 } }, changeEnvelope(userRoom(user), 'the-sender'));
        // The room's subscription is made without an acknowledgement: publish until one arrives.
        const first = await vi.waitFor(
          async () => {
            const result = await send(phone.seq + 1);
            phone.seq += 1;
            expect(result.published).toBe(true);
            expect(received.length).toBeGreaterThan(0);
            return result;
          },
          { timeout: 15_000, interval: 200 },
        );
        await vi.waitFor(() => expect(received.at(-1)).toEqual(first.change), { timeout: 5_000 });
        const before = received.length;
        const resend = await send(phone.seq);
        expect(resend).toMatchObject({ duplicate: true });
        expect(resend.published).toBeUndefined();
        const after = await send(phone.seq + 1);
        await vi.waitFor(() => expect(received.at(-1)).toEqual(after.change), { timeout: 5_000 });
        expect(received.length).toBe(before + 1);
      }
    } finally {
      for (const close of closers.reverse()) await close();
    }
  });
});


describe('guest merge across Cluster slots', () => {
  it('moves a guest on one master into an account on another, and a repeat changes nothing', async () => {
    const [first, second] = cluster.nodes;
    if (!first || !second) throw new Error('a cluster of two masters at least');
    const account = await userOnNode(first.port);
    const guest = await userOnNode(second.port);
    const redis = newCommandsClient(store);
    await waitForReady(redis);
    const engine = createRedisEngine({ ...ROOMY, redis });
    try {
      const laptop = await connect(engine, account, 'laptop');
      const phone = await connect(engine, guest, 'phone');
      await laptop.add('tea', 1, 'Tea', 300);
      await phone.add('tea', 2, 'Tea', 300);
      await phone.add('cake', 1, 'Cake', 500);
      await phone.send('watch:report', { videoId: 'film', positionSec: 30, durationSec: 100, at: Date.now() - 1000, kind: 'progress' });
      const request = { fromUserId: guest, mode: 'merge', quantities: 'sum' } as const;
      const merged = await engine.mergeInto(account, request, { writerId: 'backend-auth' });
      expect(merged.cart.map((l) => [l.sku, l.qty])).toEqual([['cake', 1], ['tea', 3]]);
      expect(merged.watch.map((e) => e.videoId)).toEqual(['film']);
      const again = await engine.mergeInto(account, request, { writerId: 'backend-auth' });
      expect(again).toMatchObject({ duplicate: true, version: merged.version, cart: merged.cart });
      expect((await snapshotOf(engine, account)).state.cart).toEqual(merged.cart);
    } finally {
      await engine.close();
    }
  });
});
