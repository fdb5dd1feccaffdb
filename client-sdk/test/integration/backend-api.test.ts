import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryStorage, type SyncChangeEvent, type SyncClientError } from '../../src/index.ts';
import { TEST_API_KEYS, WRITE_SECRET } from '../../../test/admin/admin-node.ts';
import { eventually, newUser, tokens, useCluster } from '../support/cluster.ts';

const fixture = useCluster({ nodes: 2, env: { API_KEYS: TEST_API_KEYS }, closeClients: 'all' });
const { clients } = fixture;

const call = (node: number, method: string, path: string, body?: unknown) =>
  fetch(`${fixture.cluster.nodes[node]?.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${WRITE_SECRET}`, 'idempotency-key': randomUUID(), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('the SDK and the backend API', () => {
  it("shows a backend change in onChange as the backend's, and wipes its local copy when the user is erased", async () => {
    const [node1, node2] = fixture.cluster.nodes;
    if (!node1 || !node2) throw new Error('two nodes expected');
    const user = newUser();
    const storage = memoryStorage();
    const phone = clients.create({ url: node2.url, getToken: tokens(user), deviceId: 'phone', storage });
    await phone.ready;
    const events: SyncChangeEvent[] = [];
    phone.onChange((event) => events.push(event));
    const errors: SyncClientError[] = [];
    phone.onError((error) => errors.push(error));

    expect((await call(0, 'POST', `/v1/users/${user}/cart/lines`, { sku: 'tea', title: 'Tea', priceCents: 300, qty: 2 })).status).toBe(200);
    await eventually(() => expect(phone.cart.get().items).toEqual([expect.objectContaining({ sku: 'tea', qty: 2 })]));
    expect(events).toContainEqual(expect.objectContaining({ type: 'change', backend: true, own: false, change: expect.objectContaining({ deviceId: 'backend-orders' }) }));
    await eventually(() => expect(storage.getItem('tandem:state:phone')).not.toBeNull());

    expect((await call(0, 'DELETE', `/v1/users/${user}`)).status).toBe(200);
    await eventually(() => expect(phone.status).toBe('unauthorized'));
    expect(phone.cart.get().items).toEqual([]);
    expect(errors.map((e) => e.message)).toContain('everything stored for this user was erased');
    // The cached state is gone from storage too.
    await eventually(() => expect(storage.getItem('tandem:state:phone')).toBeNull());
  }, 60_000);

  it('shows a checkout as cart.frozen on another node, rolls a frozen edit back, and unfreezes on complete', async () => {
    const user = newUser();
    const laptop = clients.create({ url: fixture.cluster.nodes[1]?.url ?? '', getToken: tokens(user), deviceId: 'laptop', storage: memoryStorage() });
    await laptop.ready;
    await laptop.cart.add({ sku: 'tea', title: 'Tea', priceCents: 300, qty: 1 });
    const started = await call(0, 'POST', `/v1/users/${user}/cart/checkout`, {});
    expect(started.status).toBe(201);
    const { checkoutId } = (await started.json()) as { checkoutId: string };
    await eventually(() => expect(laptop.cart.frozen?.checkoutId).toBe(checkoutId));
    await expect(laptop.cart.add({ sku: 'cake', title: 'Cake', priceCents: 500 })).rejects.toMatchObject({ code: 'frozen', retryable: false });
    await eventually(() => expect(laptop.cart.get().items.map((l) => l.sku)).toEqual(['tea']));
    expect(laptop.pendingCount).toBe(0);
    expect((await call(0, 'POST', `/v1/users/${user}/cart/checkout/${checkoutId}/complete`, {})).status).toBe(200);
    await eventually(() => expect(laptop.cart.frozen).toBeNull());
    expect(laptop.cart.get().items).toEqual([]);
  }, 60_000);

  it('signs the TV out from the laptop: the TV stops, the laptop goes on', async () => {
    const user = newUser();
    const laptop = clients.create({ url: fixture.cluster.nodes[0]?.url ?? '', getToken: tokens(user), deviceId: 'laptop', storage: memoryStorage() });
    const tv = clients.create({ url: fixture.cluster.nodes[1]?.url ?? '', getToken: tokens(user), deviceId: 'tv', storage: memoryStorage() });
    await Promise.all([laptop.ready, tv.ready]);
    await laptop.devices.signOut('tv');
    await eventually(() => expect(tv.status).toBe('unauthorized'));
    expect((await laptop.cart.add({ sku: 'tea', title: 'Tea', priceCents: 300 })).duplicate).toBe(false);
  }, 60_000);

  it('takes a video off continue watching on every device with watch.remove', async () => {
    const user = newUser();
    const laptop = clients.create({ url: fixture.cluster.nodes[0]?.url ?? '', getToken: tokens(user), deviceId: 'laptop', storage: memoryStorage() });
    const phone = clients.create({ url: fixture.cluster.nodes[1]?.url ?? '', getToken: tokens(user), deviceId: 'phone', storage: memoryStorage() });
    await Promise.all([laptop.ready, phone.ready]);
    await laptop.watch.report('film-7', 600, 3600, { event: 'pause' });
    await eventually(() => expect(phone.watch.continueWatching().map((e) => e.videoId)).toEqual(['film-7']));
    await laptop.watch.remove('film-7');
    expect(laptop.watch.get('film-7')).toBeUndefined();
    await eventually(() => expect(phone.watch.continueWatching()).toEqual([]));
  }, 60_000);
});
