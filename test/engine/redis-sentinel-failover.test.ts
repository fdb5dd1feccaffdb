import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { startRedisSentinel, type RedisSentinel } from '../support/redis-sentinel.ts';

/**
 * A kill of the primary: every Sentinel-managed connection is reconnecting when the Sentinels announce the
 * promotion, and ioredis' failover detector of the lost connection can end the reconnect for good (see
 * sentinel-revival.ts). Many clients make that race likely; every one of them must follow the new primary,
 * and the subscribers must get their subscriptions back there.
 */
describe('Sentinel clients across a kill of the primary', () => {
  let ha: RedisSentinel;
  const clients: (Redis | Cluster)[] = [];

  beforeAll(async () => {
    ha = await startRedisSentinel({ replicas: 1, appendOnly: false });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await ha?.stop();
  });

  it('every commands and subscriber connection ends up ready on the promoted primary', async () => {
    const sentinel = { sentinels: ha.sentinels.map((a) => ({ host: '127.0.0.1', port: Number(a.split(':')[1]) })), name: ha.name, password: null };
    const make = (role: 'commands' | 'subscriber') => {
      const c = createRedisClient({ sentinel, role });
      clients.push(c);
      return c;
    };
    const commands = Array.from({ length: 8 }, () => make('commands'));
    const subscribers = Array.from({ length: 8 }, () => make('subscriber'));
    await Promise.all([...commands, ...subscribers].map((c) => waitForReady(c)));
    const received = subscribers.map(() => [] as string[]);
    await Promise.all(
      subscribers.map(async (s, i) => {
        s.on('message', (_channel: string, message: string) => received[i]?.push(message));
        await s.subscribe('probe');
      }),
    );

    const oldPort = await ha.currentPrimaryPort();
    await ha.server(oldPort).kill();
    const newPort = await ha.waitForPromotion(oldPort, 30_000);
    expect(newPort).not.toBe(oldPort);

    await vi.waitFor(
      async () => {
        for (const c of [...commands, ...subscribers]) expect(c.status).toBe('ready');
        await Promise.all(commands.map(async (c) => expect(await c.ping()).toBe('PONG')));
      },
      { timeout: 30_000, interval: 200 },
    );
    const publisher = commands[0];
    if (!publisher) throw new Error('no commands client');
    await vi.waitFor(
      async () => {
        await publisher.publish('probe', 'after');
        for (const r of received) expect(r).toContain('after');
      },
      { timeout: 15_000, interval: 300 },
    );
  }, 120_000);
});
