import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { userTag } from '../../client-sdk/src/rules/index.ts';
import { connect, nextPush, ok, type ClientSocket } from '../gateway/helpers.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.ts';
import { api, TEST_API_KEYS } from './admin-node.ts';

let cluster: RedisCluster;
let nodes: GatewayProcess[] = [];
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ appendOnly: false });
  const env = { REDIS_CLUSTER_NODES: cluster.seeds.join(','), API_KEYS: TEST_API_KEYS, ADMIN_PORT: '0', RATE_LIMIT_PER_SEC: '10000', RATE_LIMIT_BURST: '10000' };
  nodes = await Promise.all([1, 2].map((n) => startGateway({ nodeId: `merge-${n}`, env })));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.kill()));
  await cluster?.stop();
});

const device = async (node: GatewayProcess, userId: string, deviceId: string) => {
  const socket = await connect(node.url, { token: await mintToken({ userId }), deviceId });
  sockets.push(socket);
  await ok(socket, 'sync:since', { since: null });
  return socket;
};
/** The slot the Cluster itself says the user's keys live in. */
async function slotOf(userId: string): Promise<number> {
  const probe = new Redis(cluster.primaries()[0]!.url);
  try {
    return Number(await probe.call('CLUSTER', 'KEYSLOT', `${userTag(userId)}:meta`));
  } finally {
    probe.disconnect();
  }
}

describe('guest merge on a Redis Cluster, through the backend API of real gateway processes', () => {
  it('moves a guest in another slot into the account, live on the other node, and a repeat replays it', async () => {
    const suffix = Date.now().toString(36);
    const account = `member-${suffix}`;
    // A guest whose keys live in another slot than the account's (most ids do; pick one that surely does).
    let guest = `guest-${suffix}`;
    const accountSlot = await slotOf(account);
    for (let i = 0; (await slotOf(guest)) === accountSlot && i < 10; i++) guest = `guest-${suffix}-${i}`;
    expect(await slotOf(guest)).not.toBe(accountSlot);

    const guestPhone = await device(nodes[0]!, guest, 'phone');
    await ok(guestPhone, 'cart:add', { seq: 1, sku: 'tea', title: 'Tea', priceCents: 350, qty: 2 });
    await ok(guestPhone, 'watch:report', { seq: 2, videoId: 'film', positionSec: 600, durationSec: 3000, at: Date.now() - 1000, kind: 'progress' });
    const laptop = await device(nodes[1]!, account, 'laptop');
    await ok(laptop, 'cart:add', { seq: 1, sku: 'tea', title: 'Tea', priceCents: 350, qty: 1 });
    await ok(laptop, 'cart:add', { seq: 2, sku: 'mug', title: 'Mug', priceCents: 900, qty: 1 });

    const merged = nextPush(laptop, 'change', (c: Change) => c.op.type === 'merge');
    const ending = nextPush(guestPhone, 'session:ending');
    const body = { fromUserId: guest, mode: 'merge', quantities: 'sum' };
    const first = await api<{ version: number; cart: Array<{ sku: string; qty: number }>; duplicate: boolean }>(nodes[0]!.adminUrl, 'POST', `/v1/users/${account}/merge`, {
      idempotencyKey: `signin-${guest}`,
      body,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 3, duplicate: false, cart: [{ sku: 'mug', qty: 1 }, { sku: 'tea', qty: 3 }] });
    expect((await merged).op).toMatchObject({ type: 'merge', cart: [{ sku: 'mug' }, { sku: 'tea', qty: 3 }] });
    expect((await ending).reason).toBe('erased');
    expect((await api(nodes[1]!.adminUrl, 'GET', `/v1/users/${guest}`)).status).toBe(404);
    const read = await api<{ watch: Array<{ videoId: string }>; version: number }>(nodes[1]!.adminUrl, 'GET', `/v1/users/${account}`);
    expect(read.body.watch.map((e) => e.videoId)).toEqual(['film']);

    // The same call again, on the other node: the stored answer, nothing applied twice.
    const again = await api(nodes[1]!.adminUrl, 'POST', `/v1/users/${account}/merge`, { idempotencyKey: `signin-${guest}`, body });
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Another key for the same guest finds the merge marker: a duplicate, at the same version.
    const other = await api(nodes[1]!.adminUrl, 'POST', `/v1/users/${account}/merge`, { body });
    expect(other).toMatchObject({ status: 200, body: { duplicate: true, version: 3 } });
  });
});
