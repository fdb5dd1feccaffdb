import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

describe('redis clients', () => {
  let server: RedisServer;
  const clients: (Redis | Cluster)[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const client of clients.splice(0)) client.disconnect();
  });

  const client = (role: 'commands' | 'publisher' | 'subscriber', errors?: Error[]) => {
    const created = createRedisClient({ url: server.url, role, onError: (err) => errors?.push(err) });
    clients.push(created);
    return created;
  };

  it('fails a command at once while disconnected, reports errors to onError, and reconnects on its own', async () => {
    const errors: Error[] = [];
    const commands = client('commands', errors);
    await waitForReady(commands);
    await server.kill();
    await expect(commands.ping()).rejects.toThrow();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000 });
    await server.restart();
    await vi.waitFor(() => commands.ping(), { timeout: 10_000, interval: 50 });
  });

  it('routes a subscription cut short by a disconnect to onError instead of an unhandled rejection', async () => {
    const errors: Error[] = [];
    const sub = client('subscriber', errors);
    await waitForReady(sub);
    await server.kill();
    try {
      await vi.waitFor(() => expect(sub.status).toBe('reconnecting'));
      // As the adapter does: nobody awaits this promise. It waits in the offline queue...
      void sub.ssubscribe('cut-short');
      // ...until the client is closed during a reconnect attempt (a node shutting down while Redis is away).
      await new Promise<void>((resolve) =>
        sub.once('connecting', () => {
          sub.disconnect();
          resolve();
        }),
      );
      await vi.waitFor(() => expect(errors.map((e) => e.message)).toContain('Connection is closed.'));
    } finally {
      await server.restart();
    }
  });

  it('restores a subscriber\'s sharded subscriptions after Redis restarts', async () => {
    const pub = client('publisher');
    const sub = client('subscriber');
    await Promise.all([waitForReady(pub), waitForReady(sub)]);
    const received: string[] = [];
    sub.on('smessage', (_channel: string, message: string) => received.push(message));
    await sub.ssubscribe('tandem-test');
    await pub.spublish('tandem-test', 'before');
    await vi.waitFor(() => expect(received).toContain('before'));
    await server.restart();
    // Publish until one arrives: resubscription happens after the reconnect, with no acknowledgement to wait on.
    await vi.waitFor(
      async () => {
        await pub.spublish('tandem-test', 'after').catch(() => 0);
        expect(received).toContain('after');
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('delivers socket.io room broadcasts between two nodes through the sharded adapter, before and after a Redis restart', async () => {
    const nodes: { http: HttpServer; io: Server }[] = [];
    for (let i = 0; i < 2; i += 1) {
      const pub = client('publisher');
      const sub = client('subscriber');
      await Promise.all([waitForReady(pub), waitForReady(sub)]);
      const http = createServer();
      const io = new Server(http, { transports: ['websocket'], adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }) });
      io.on('connection', (socket) => void socket.join('u:adapter-user'));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      nodes.push({ http, io });
      cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    }
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error('nodes');
    const port = (nodeB.http.address() as AddressInfo).port;
    const socket: Socket = ioClient(`http://127.0.0.1:${port}`, { forceNew: true, transports: ['websocket'] });
    cleanups.push(() => void socket.disconnect());
    const received: string[] = [];
    socket.on('change', (message: string) => received.push(message));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const emitUntil = async (message: string) =>
      vi.waitFor(
        () => {
          nodeA.io.to('u:adapter-user').emit('change', message);
          expect(received).toContain(message);
        },
        { timeout: 15_000, interval: 100 },
      );
    await emitUntil('before');
    // PUBSUB SHARDNUMSUB (serverCount, used by acknowledged server-side emits) parses under RESP3 too.
    expect(await nodeA.io.of('/').adapter.serverCount()).toBe(2);
    await server.restart();
    await emitUntil('after');
  });
});
