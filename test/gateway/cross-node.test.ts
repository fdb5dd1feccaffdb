import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roomChannel } from '../../server/transport/adapter.ts';
import { userRoom } from '../../server/transport/rooms.ts';
import { LIMITS, type Change, type Device } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, type GatewayProcess } from '../support/gateway-process.ts';
import { useRedisNodes } from './redis-nodes.ts';
import { call, connect, disconnected, nextPush, ok, type ClientSocket } from './helpers.ts';

const GENEROUS_LIMITS = { RATE_LIMIT_PER_SEC: '100000', RATE_LIMIT_BURST: '100000' };

const nodes = useRedisNodes({ prefix: 'node', env: GENEROUS_LIMITS });
let probe: Redis;

const device = (node: GatewayProcess, userId: string, deviceId: string, kind: 'phone' | 'laptop' | 'tablet' = 'phone') =>
  nodes.device(node, userId, deviceId, { kind, name: `${userId}'s ${kind}`, sync: false });

const online = (devices: Device[], deviceId: string) => devices.find((d) => d.deviceId === deviceId)?.online === true;

beforeAll(() => {
  probe = new Redis(nodes.redis.url);
});
afterAll(() => {
  probe?.disconnect();
});

describe('two gateway nodes sharing one Redis', () => {
  it('shows a phone on node 1 and a laptop on node 2 each other\'s cart, watch and device changes live', async () => {
    const phone = await device(nodes.one, 'alice', 'alice-phone', 'phone');
    await ok(phone, 'sync:since', { since: null });
    const phoneSeesLaptop = nextPush(phone, 'devices', (p) => online(p.devices, 'alice-laptop'));
    const laptop = await device(nodes.two, 'alice', 'alice-laptop', 'laptop');
    const seen = await phoneSeesLaptop;
    expect(seen.devices.find((d) => d.deviceId === 'alice-laptop')).toMatchObject({ kind: 'laptop', nodeId: 'node-2', online: true });
    const laptopSync = await ok(laptop, 'sync:since', { since: null });
    expect(laptopSync.nodeId).toBe('node-2');
    expect(laptopSync.devices.map((d) => d.deviceId).sort()).toEqual(['alice-laptop', 'alice-phone']);

    const laptopGetsCart = nextPush(laptop, 'change', (c) => c.op.type === 'cart:line');
    const added = await ok(phone, 'cart:add', { seq: 1, sku: 'sku-1', title: 'Kettle', priceCents: 2599, qty: 2 });
    const pushed = await laptopGetsCart;
    expect(pushed).toEqual(added.change);
    expect(pushed.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: { sku: 'sku-1', title: 'Kettle', priceCents: 2599, qty: 2 } });

    const phoneGetsWatch = nextPush(phone, 'change', (c) => c.op.type === 'watch');
    const report = { seq: 1, videoId: 'vid-9', positionSec: 120, durationSec: 600, at: Date.now(), kind: 'progress' as const };
    const watched = await ok(laptop, 'watch:report', report);
    const watchPush = await phoneGetsWatch;
    expect(watchPush).toEqual(watched.change);
    expect(watchPush.version).toBe(added.version + 1);
    expect(watchPush.op).toMatchObject({ type: 'watch', entry: { videoId: 'vid-9', positionSec: 120, deviceId: 'alice-laptop' } });

    // Twenty sequential writes each cross the nodes once, in order (how fast is the bench's job).
    for (let seq = 2; seq <= 21; seq++) {
      const arrives = nextPush(laptop, 'change', (c) => c.seq === seq && c.deviceId === 'alice-phone');
      phone.emit('cart:add', { seq, sku: 'sku-2', title: 'Mug', priceCents: 500, qty: 1 }, () => {});
      expect((await arrives).op).toMatchObject({ type: 'cart:line', sku: 'sku-2', line: { qty: seq - 1 } });
    }

    // Each node holding alice's sockets subscribes to her room's channel, and only those nodes.
    const channel = roomChannel(userRoom('alice'));
    const subscribers = async () => {
      const reply = (await probe.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    };
    expect(await subscribers()).toBe(2);

    const phoneSeesLaptopLeave = nextPush(phone, 'devices', (p) => !online(p.devices, 'alice-laptop'));
    laptop.close();
    const after = await phoneSeesLaptopLeave;
    expect(after.devices.find((d) => d.deviceId === 'alice-laptop')).toMatchObject({ online: false, nodeId: '' });
    // Node 2 dropped the channel with its last socket of alice (so roomChannel names the adapter's channel).
    await vi.waitFor(async () => expect(await subscribers()).toBe(1));
  });

  it('lets a phone whose node was killed catch up on node 2 with exactly the changes it missed', async () => {
    const phone = await device(nodes.one, 'bob', 'bob-phone');
    const laptop = await device(nodes.two, 'bob', 'bob-laptop', 'laptop');
    let last = { epoch: '', version: 0 };
    for (let seq = 1; seq <= 3; seq++) {
      const r = await ok(phone, 'cart:add', { seq, sku: `a-${seq}`, title: 'A', priceCents: 100, qty: 1 });
      last = { epoch: r.epoch, version: r.version };
    }

    const lost = disconnected(phone);
    await nodes.one.kill('SIGKILL');
    expect(await lost).toBe('transport close');

    const missed: Change[] = [];
    for (let seq = 1; seq <= 4; seq++) {
      const r = await ok(laptop, 'cart:add', { seq, sku: `b-${seq}`, title: 'B', priceCents: 200, qty: seq });
      if (r.change) missed.push(r.change);
    }

    const back = await device(nodes.two, 'bob', 'bob-phone');
    const sync = await ok(back, 'sync:since', { since: last });
    expect(sync.nodeId).toBe('node-2');
    expect(sync.sync).toEqual({ kind: 'changes', epoch: last.epoch, version: last.version + 4, changes: missed });

    // A resend of a write the dead node had acknowledged is recognised, however late.
    const resent = await ok(back, 'cart:add', { seq: 3, sku: 'a-3', title: 'A', priceCents: 100, qty: 1 });
    expect(resent).toMatchObject({ duplicate: true });
    expect(resent.change).toBeUndefined();

    await nodes.one.restart();
  });

  it('pushes each change exactly once to every other device of the user, on the same node and the other, never to its sender', async () => {
    const phone = await device(nodes.one, 'erin', 'erin-phone', 'phone');
    const tablet = await device(nodes.one, 'erin', 'erin-tablet', 'tablet');
    const laptop = await device(nodes.two, 'erin', 'erin-laptop', 'laptop');
    const pushes = new Map<ClientSocket, Change[]>([[phone, []], [tablet, []], [laptop, []]]);
    for (const [socket, list] of pushes) {
      await ok(socket, 'sync:since', { since: null });
      socket.on('change', (change) => list.push(change));
    }
    const added: Change[] = [];
    for (let seq = 1; seq <= 5; seq++) {
      const result = await ok(phone, 'cart:add', { seq, sku: `sku-${seq}`, title: 'Item', priceCents: 100, qty: 1 });
      if (result.change) added.push(result.change);
    }
    // A resend of an acknowledged seq is a duplicate: no second push.
    expect(await ok(phone, 'cart:add', { seq: 5, sku: 'sku-5', title: 'Item', priceCents: 100, qty: 1 })).toMatchObject({ duplicate: true });
    const last = await ok(tablet, 'cart:add', { seq: 1, sku: 'sku-t', title: 'Item', priceCents: 100, qty: 1 });
    await vi.waitFor(() => {
      expect(pushes.get(phone)?.map((c) => c.version)).toEqual([last.version]);
      expect(pushes.get(laptop)?.at(-1)?.version).toBe(last.version);
    }, { timeout: 10_000 });
    expect(pushes.get(tablet)).toEqual(added);
    expect(pushes.get(laptop)).toEqual([...added, last.change]);
  });

  it('adds concurrently from two devices on each node to one sku and ends with the exact sum', async () => {
    const clients = await Promise.all([
      device(nodes.one, 'carol', 'carol-1'),
      device(nodes.one, 'carol', 'carol-2'),
      device(nodes.two, 'carol', 'carol-3'),
      device(nodes.two, 'carol', 'carol-4'),
    ]);
    const perClient = 60;
    // Each device keeps as many adds outstanding as a connection may (LIMITS.inFlightPerConnection), all four at once.
    const window = LIMITS.inFlightPerConnection;
    const addAll = async (socket: ClientSocket) => {
      const acks = [];
      for (let first = 1; first <= perClient; first += window) {
        const seqs = Array.from({ length: Math.min(window, perClient - first + 1) }, (_, i) => first + i);
        acks.push(...(await Promise.all(seqs.map((seq) => call(socket, 'cart:add', { seq, sku: 'hot', title: 'Hot item', priceCents: 999, qty: 1 })))));
      }
      return acks;
    };
    const acks = (await Promise.all(clients.map(addAll))).flat();
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    const versions = acks.map((a) => (a.ok ? a.version : 0)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: clients.length * perClient }, (_, i) => i + 1));

    const state = await ok(clients[0]!, 'sync:since', { since: null });
    expect(state.sync.kind).toBe('snapshot');
    if (state.sync.kind === 'snapshot') {
      expect(state.sync.state.cart).toEqual([{ sku: 'hot', title: 'Hot item', priceCents: 999, qty: clients.length * perClient }]);
    }
  });

  it('signs a device out on another node, and then everywhere', async () => {
    const phone = await device(nodes.one, 'dave', 'dave-phone');
    const laptop = await device(nodes.two, 'dave', 'dave-laptop', 'laptop');
    const tablet = await device(nodes.two, 'dave', 'dave-tablet', 'tablet');

    const laptopEnding = nextPush(laptop, 'session:ending');
    const laptopGone = disconnected(laptop);
    const signedOut = await ok(phone, 'auth:sign-out', { scope: 'device', deviceId: 'dave-laptop' });
    // Pushed by node 1 through the adapter: the laptop sends nothing that could trip over the revocation.
    expect(await laptopEnding).toMatchObject({ reason: 'revoked' });
    expect(await laptopGone).toBe('io server disconnect');
    expect(tablet.connected).toBe(true);
    expect(phone.connected).toBe(true);
    expect(signedOut.revokedAt).toBeGreaterThan(0);

    // The laptop's old token is refused on every node; a token issued after the sign-out works.
    const oldToken = await mintToken({ userId: 'dave', deviceId: 'dave-laptop', issuedAt: (signedOut.revokedAt - 1000) / 1000 });
    await expect(connect(nodes.one.url, { token: oldToken, deviceId: 'dave-laptop' })).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    const fresh = await device(nodes.one, 'dave', 'dave-laptop', 'laptop');

    const endings = [phone, tablet, fresh].map((s) => disconnected(s));
    await ok(tablet, 'auth:sign-out', { scope: 'everywhere' });
    expect(await Promise.all(endings)).toEqual(['io server disconnect', 'io server disconnect', 'io server disconnect']);
  });
});
