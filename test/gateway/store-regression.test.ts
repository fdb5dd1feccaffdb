import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSyncClient, memoryStorage, type ChangesLostEvent, type SyncClient } from '../../client-sdk/src/index.ts';
import type { CartLine } from '../../client-sdk/src/protocol/index.ts';
import { userKeys } from '../../server/engine/redis/keys.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// The trial: two nodes behind one Redis endpoint that moves to a replica which stopped following.
const USER = 'regress-user';
let primary: RedisServer;
let replica: RedisServer;
let endpoint: TcpProxy;
let node1: GatewayProcess;
let node2: GatewayProcess;
const clients: SyncClient[] = [];

function device(node: GatewayProcess, deviceId: string): SyncClient {
  const client = createSyncClient({
    url: node.url,
    deviceId,
    deviceName: deviceId,
    storage: memoryStorage(),
    getToken: () => mintToken({ userId: USER, deviceId }),
    backoff: { baseMs: 100, capMs: 500 },
  });
  clients.push(client);
  return client;
}

const skus = (lines: readonly CartLine[]) => lines.map((l) => `${l.sku}×${l.qty}`).sort();

async function serverCart(redis: Redis): Promise<string[]> {
  const raw = await redis.hvals(userKeys(USER).cart);
  return skus(raw.map((line) => JSON.parse(line) as CartLine));
}

async function lostCounter(node: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tandem_lost_changes_total'));
  return Number(line?.split(' ').at(-1) ?? 'NaN');
}

beforeAll(async () => {
  primary = await startRedis();
  replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  endpoint = await startTcpProxy(primary.port);
  const env = { RATE_LIMIT_PER_SEC: '1000', RATE_LIMIT_BURST: '1000' };
  [node1, node2] = await Promise.all([
    startGateway({ redisUrl: endpoint.url, nodeId: 'node-1', env }),
    startGateway({ redisUrl: endpoint.url, nodeId: 'node-2', env }),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([node1?.kill(), node2?.kill()]);
  await endpoint?.close();
  await Promise.all([primary?.stop(), replica?.stop()]);
});

describe('a store that goes back in time (failover to a replica that stopped following)', () => {
  it('leaves no device silently wrong: both converge on the server, the loss is reported and the laptop keeps its new item', async () => {
    const replicaProbe = new Redis(replica.url);
    try {
      const phone = device(node1, 'phone');
      const laptop = device(node2, 'laptop');
      const lost: Record<string, ChangesLostEvent[]> = { phone: [], laptop: [] };
      phone.onChangesLost((e) => lost['phone']?.push(e));
      laptop.onChangesLost((e) => lost['laptop']?.push(e));
      await Promise.all([phone.ready, laptop.ready]);
      await phone.cart.add({ sku: 'base', title: 'Before', priceCents: 100 });
      await vi.waitFor(() => expect(skus(laptop.cart.get().items)).toEqual(['base×1']), { timeout: 10_000 });
      // Everything so far is on the replica; then it stops following.
      await vi.waitFor(async () => expect(await serverCart(replicaProbe)).toEqual(['base×1']), { timeout: 10_000 });
      await replicaProbe.replicaof('NO', 'ONE');

      await phone.cart.add({ sku: 'lost-1', title: 'Lost one', priceCents: 200 });
      await phone.cart.add({ sku: 'lost-2', title: 'Lost two', priceCents: 300 });
      await vi.waitFor(() => expect(skus(laptop.cart.get().items)).toEqual(['base×1', 'lost-1×1', 'lost-2×1']), { timeout: 10_000 });

      const lostVersions = { fromVersion: phone.version - 1, toVersion: phone.version };
      const failoverAt = Date.now();
      endpoint.retarget(replica.port);
      await primary.kill();
      await laptop.cart.add({ sku: 'after', title: 'After failover', priceCents: 400 });

      const expected = ['after×1', 'base×1'];
      await vi.waitFor(
        async () => {
          expect(await serverCart(replicaProbe)).toEqual(expected);
          expect(skus(phone.cart.get().items)).toEqual(expected);
          expect(skus(laptop.cart.get().items)).toEqual(expected);
          expect(phone.pendingCount + laptop.pendingCount).toBe(0);
        },
        { timeout: 15_000, interval: 50 },
      );
      console.info(`store regression: both devices equal the server ${Date.now() - failoverAt} ms after the endpoint moved`);

      // Each device learns which acknowledged changes are gone: the phone made both, the laptop saw them.
      expect(lost['phone']).toEqual([expect.objectContaining({ reason: 'store_regressed', ...lostVersions, own: 2 })]);
      expect(lost['laptop']).toEqual([expect.objectContaining({ reason: 'store_regressed', ...lostVersions, own: 0 })]);
      expect(lost['phone']?.[0]?.changes.map((c) => (c.op.type === 'cart:line' ? c.op.sku : ''))).toEqual(['lost-1', 'lost-2']);
      // Counted once for the user, whichever node and device found it.
      const counted = await Promise.all([node1, node2].map((node) => lostCounter(node)));
      expect(counted[0]! + counted[1]!).toBe(2);
      expect(node1.logs().concat(node2.logs()).filter((l) => l.includes('acknowledged changes of this user are lost'))).toHaveLength(1);

      // A device connected afterwards agrees too.
      const tablet = device(node1, 'tablet');
      await tablet.ready;
      expect(skus(tablet.cart.get().items)).toEqual(expected);
      expect(phone.version).toBe(tablet.version);
      expect(laptop.version).toBe(tablet.version);
    } finally {
      replicaProbe.disconnect();
    }
  });
});
