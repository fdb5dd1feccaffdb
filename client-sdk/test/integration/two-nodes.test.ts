import { describe, expect, it, vi } from 'vitest';
import { memoryStorage, type SyncChangeEvent, type SyncClient } from '../../src/index.ts';
import { eventually, newUser, tokens, useCluster } from '../support/cluster.ts';
import { interceptingIo } from '../support/intercept-io.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';

const fixture = useCluster({ nodes: 2 });
const { clients, url } = fixture;

/** What two devices must agree on. */
const stateOf = (client: SyncClient) => ({
  version: client.version,
  cart: [...client.cart.get().items].sort((a, b) => a.sku.localeCompare(b.sku)),
  watch: [...client.watch.view().entries.values()].sort((a, b) => a.videoId.localeCompare(b.videoId)),
});

function changesOf(client: SyncClient, fromDevice: string): Array<{ version: number; seq: number; source: string }> {
  const seen: Array<{ version: number; seq: number; source: string }> = [];
  client.onChange((event: SyncChangeEvent) => {
    if (event.type === 'change' && event.change.deviceId === fromDevice) {
      seen.push({ version: event.change.version, seq: event.change.seq, source: event.source });
    }
  });
  return seen;
}

async function pair() {
  const user = newUser();
  const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', deviceName: 'Pixel', deviceKind: 'phone' });
  const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop', deviceKind: 'laptop' });
  await Promise.all([phone.ready, laptop.ready]);
  return { user, phone, laptop };
}

describe('two devices on two nodes', () => {
  it('delivers every mutation type across nodes and both devices end identical', async () => {
    const { phone, laptop } = await pair();
    expect(phone.nodeId).toBe('node-1');
    expect(laptop.nodeId).toBe('node-2');

    await phone.cart.add({ sku: 'book', title: 'Book', priceCents: 1299, qty: 1 });
    await eventually(() => expect(laptop.cart.get().items).toEqual([{ sku: 'book', title: 'Book', priceCents: 1299, qty: 1 }]));
    await phone.cart.add({ sku: 'book', title: 'Book (2nd ed.)', priceCents: 1499, qty: 2 });
    await phone.cart.add({ sku: 'pen', title: 'Pen', priceCents: 150 });
    await eventually(() => expect(laptop.cart.get().items.find((l) => l.sku === 'book')).toMatchObject({ qty: 3, priceCents: 1499 }));
    // The SDK refuses to set a line it does not show yet, as the server would.
    await eventually(() => expect(laptop.cart.get().items.find((l) => l.sku === 'pen')).toBeDefined());
    await laptop.cart.setQuantity('pen', 4);
    await eventually(() => expect(phone.cart.get().items.find((l) => l.sku === 'pen')?.qty).toBe(4));
    await phone.cart.remove('book');
    await eventually(() => expect(laptop.cart.get().items.map((l) => l.sku)).toEqual(['pen']));
    expect(laptop.cart.get().totalCents).toBe(600);
    await laptop.cart.clear();
    await eventually(() => expect(phone.cart.get().items).toEqual([]));
    await phone.cart.add({ sku: 'mug', title: 'Mug', priceCents: 900, qty: 2 });

    await laptop.watch.report('film-1', 600, 3600, { event: 'pause' });
    await eventually(() => expect(phone.watch.get('film-1')).toMatchObject({ positionSec: 600, deviceId: 'laptop', completed: false }));
    // Past 90%: watched, so no resume point and out of continue watching.
    await phone.watch.report('film-1', 3500, 3600, { event: 'close' });
    await eventually(() => expect(laptop.watch.get('film-1')).toMatchObject({ positionSec: 0, completed: true }));
    await phone.watch.report('film-2', 60, 1200);
    await eventually(() => expect(laptop.watch.continueWatching().map((e) => e.videoId)).toEqual(['film-2']));
    await laptop.watch.report('film-1', 1800, 3600, { event: 'seek' });
    await eventually(() => expect(phone.watch.get('film-1')).toMatchObject({ positionSec: 1800, completed: false }));

    await eventually(() => expect(stateOf(laptop)).toEqual(stateOf(phone)));
    expect(phone.pendingCount).toBe(0);
    const devicesOf = (client: SyncClient) =>
      client.devices
        .list()
        .map((d) => [d.deviceId, d.online, d.nodeId])
        .sort();
    const both = [
      ['laptop', true, 'node-2'],
      ['phone', true, 'node-1'],
    ];
    await eventually(() => expect(devicesOf(laptop)).toEqual(both));
    await eventually(() => expect(devicesOf(phone)).toEqual(both));
  });

  it('sends 20 offline edits once back, and the other device sees each exactly once, in order', async () => {
    const { phone, laptop } = await pair();
    const seen = changesOf(laptop, 'phone');
    phone.goOffline();
    expect(phone.status).toBe('offline');
    const edits: Array<Promise<unknown>> = [];
    for (let i = 1; i <= 20; i++) {
      edits.push(i % 4 === 0 ? phone.cart.setQuantity(`sku-${i - 1}`, 7) : phone.cart.add({ sku: `sku-${i}`, title: `Item ${i}`, priceCents: i }));
    }
    expect(phone.pendingCount).toBe(20);
    expect(phone.cart.get().items).toHaveLength(15);
    expect(laptop.cart.get().items).toHaveLength(0);

    phone.goOnline();
    await Promise.all(edits);
    await eventually(() => expect(seen).toHaveLength(20));
    const seqs = seen.map((c) => c.seq);
    expect(new Set(seqs).size).toBe(20);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(seen.map((c) => c.version)).toEqual(seen.map((_, i) => (seen[0]?.version ?? 0) + i));
    await eventually(() => expect(stateOf(laptop)).toEqual(stateOf(phone)));
    expect(laptop.cart.get().items.filter((l) => l.qty === 7)).toHaveLength(5);
    expect(phone.pendingCount).toBe(0);
  });

  it('resends the pending outbox of a closed client from a new client with the same storage', async () => {
    const user = newUser();
    const storage = memoryStorage();
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop' });
    await laptop.ready;
    const seen = changesOf(laptop, 'tablet');

    const before = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'tablet', storage, connect: false });
    const edits = [1, 2, 3, 4, 5].map((i) => before.cart.add({ sku: `r-${i}`, title: `R${i}`, priceCents: 100 }));
    await eventually(() => expect(before.pendingCount).toBe(5));
    await before.close();
    for (const edit of edits) await expect(edit).rejects.toMatchObject({ code: 'closed' });
    expect(seen).toHaveLength(0);

    const after = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'tablet', storage, connect: false });
    await eventually(() => expect(after.pendingCount).toBe(5));
    expect(after.cart.get().items.map((l) => l.sku)).toEqual(['r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
    after.goOnline();
    await eventually(() => expect(after.pendingCount).toBe(0));
    await eventually(() => expect(seen).toHaveLength(5));
    const seqs = seen.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await eventually(() => expect(stateOf(laptop)).toEqual(stateOf(after)));

    // The restarted client counts on above the old seqs: a new edit is not taken for a duplicate.
    const added = await after.cart.add({ sku: 'r-6', title: 'R6', priceCents: 100 });
    expect(added.duplicate).toBe(false);
    await eventually(() => expect(seen).toHaveLength(6));
    expect(seen[5]?.seq).toBeGreaterThan(Math.max(...seqs));
  });

  it('a generated device id is kept in storage across restarts', async () => {
    const user = newUser();
    const storage = memoryStorage();
    const first = clients.create({ url: url(1), getToken: tokens(user), storage });
    await first.ready;
    const id = first.deviceId;
    await first.close();
    const second = clients.create({ url: url(2), getToken: tokens(user), storage });
    await second.ready;
    expect(second.deviceId).toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('rolls back a refused mutation and rejects with the server code', async () => {
    const { phone, laptop } = await pair();
    await phone.cart.add({ sku: 'x', title: 'X', priceCents: 100, qty: 999 });
    await eventually(() => expect(laptop.cart.get().items).toHaveLength(1));

    // Beyond 999: the SDK refuses at once with the server's own rule and code; nothing is queued or sent.
    const errors: string[] = [];
    phone.onError((e) => errors.push(e.code));
    await expect(phone.cart.add({ sku: 'x', title: 'X', priceCents: 100, qty: 5 })).rejects.toMatchObject({
      name: 'SyncClientError',
      code: 'bad_request',
      message: 'cart.add: qty would exceed 999',
      retryable: false,
    });
    expect(phone.cart.get().items).toEqual([{ sku: 'x', title: 'X', priceCents: 100, qty: 999 }]);
    expect(phone.pendingCount).toBe(0);
    expect(errors).not.toContain('bad_request');

    // A concurrent removal on the other device: the offline edit shows at once, then is refused and rolled back.
    phone.goOffline();
    await laptop.cart.remove('x');
    const edit = phone.cart.setQuantity('x', 5);
    expect(phone.cart.get().items).toEqual([{ sku: 'x', title: 'X', priceCents: 100, qty: 5 }]);
    phone.goOnline();
    await expect(edit).rejects.toMatchObject({ code: 'not_found' });
    expect(phone.cart.get().items).toEqual([]);
    expect(phone.pendingCount).toBe(0);
    await eventually(() => expect(stateOf(laptop)).toEqual(stateOf(phone)));
  });

  it('rejects a mutation that breaks a limit before sending it', async () => {
    const { phone } = await pair();
    await expect(phone.cart.add({ sku: 'bad sku', title: 'X', priceCents: 1 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(phone.watch.report('v', 10, 0)).rejects.toMatchObject({ code: 'bad_request' });
    expect(phone.pendingCount).toBe(0);
  });

  it('applies pushes that arrive out of order in version order, and fills a gap with sync:since', async () => {
    const user = newUser();
    const wire = interceptingIo();
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone' });
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop', io: wire.io });
    await Promise.all([phone.ready, laptop.ready]);
    const seen = changesOf(laptop, 'phone');

    wire.hold();
    for (let i = 1; i <= 5; i++) await phone.cart.add({ sku: 'o', title: 'O', priceCents: 1 });
    await eventually(() => expect(wire.held).toHaveLength(5));
    wire.release([4, 2, 3, 0, 1]);
    expect(seen.map((c) => c.version)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((c) => c.source === 'push')).toBe(true);
    expect(laptop.cart.get().items[0]?.qty).toBe(5);

    // Versions 6 and 7 are lost on the way; 8 arrives. The gap does not fill, so the laptop asks for it.
    const syncsBefore = wire.requests('sync:since');
    wire.hold();
    for (let i = 1; i <= 3; i++) await phone.cart.add({ sku: 'o', title: 'O', priceCents: 1 });
    await eventually(() => expect(wire.held).toHaveLength(3));
    wire.release([2]);
    expect(laptop.version).toBe(5);
    await eventually(() => expect(laptop.version).toBe(8));
    expect(wire.requests('sync:since')).toBe(syncsBefore + 1);
    expect(seen.slice(5).map((c) => [c.version, c.source])).toEqual([
      [6, 'sync'],
      [7, 'sync'],
      [8, 'push'],
    ]);
    expect(stateOf(laptop)).toEqual(stateOf(phone));
  });

  it('signs out everywhere: the other device is revoked and stops, this one wipes its data and closes', async () => {
    const user = newUser();
    const storage = memoryStorage();
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', storage });
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop' });
    await Promise.all([phone.ready, laptop.ready]);
    await phone.cart.add({ sku: 'secret', title: 'S', priceCents: 1 });
    await eventually(() => expect(laptop.cart.get().items).toHaveLength(1));

    await phone.signOut({ everywhere: true });
    expect(phone.status).toBe('closed');
    expect(phone.cart.get().items).toEqual([]);
    await eventually(() => expect(laptop.status).toBe('unauthorized'));
    await expect(phone.cart.add({ sku: 'late', title: 'L', priceCents: 1 })).rejects.toMatchObject({ code: 'closed' });

    // Nothing of the signed-out session is left to show or resend.
    const next = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', storage, connect: false });
    await eventually(() => expect(next.deviceId).toBe('phone'));
    expect(next.cart.get().items).toEqual([]);
    expect(next.pendingCount).toBe(0);
  });

  it('stops with status unauthorized when even a fresh token is refused', async () => {
    const user = newUser();
    let minted = 0;
    const phone = clients.create({
      url: url(1),
      getToken: async () => (minted++, mintToken({ userId: user, secret: 'not-the-secret-of-these-nodes-0123456789' })),
      deviceId: 'phone',
    });
    await expect(phone.ready).rejects.toMatchObject({ code: 'unauthorized' });
    expect(phone.status).toBe('unauthorized');
    expect(minted).toBe(1);
  });

  it('refreshes a short-lived token without dropping the connection', async () => {
    const user = newUser();
    let minted = 0;
    const phone = clients.create({ url: url(1), getToken: tokens(user, { ttlSec: 5, onMint: () => minted++ }), deviceId: 'phone' });
    await phone.ready;
    const statuses: string[] = [];
    phone.onStatus((s) => statuses.push(s));
    const firstMint = minted;
    // Two refreshes take the connection past the first token's expiry (the server closes expired connections).
    await eventually(() => expect(minted).toBeGreaterThanOrEqual(firstMint + 2), 25_000);
    await phone.cart.add({ sku: 'still-here', title: 'S', priceCents: 1 });
    expect(statuses).toEqual([]);
    expect(phone.status).toBe('connected');
  }, 45_000);
});
