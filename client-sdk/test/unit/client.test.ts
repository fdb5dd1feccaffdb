import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../../src/index.ts';
import { client, closeClients, fakeGateway, tea, tokenFor } from '../support/fake-gateway.ts';

afterEach(closeClients);

describe('client against a scripted gateway', () => {
  it('keeps a rate-limited mutation and resends it with the same seq until it is accepted', async () => {
    const gw = fakeGateway();
    const { c, errors } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const first = await gw.next('cart:add');
    first.ack(null, { ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    const second = await gw.next('cart:add');
    expect(second.payload).toEqual(first.payload);
    expect(c.pendingCount).toBe(1);
    expect(c.cart.get().items).toEqual([tea]);
    const change = gw.commit(second);
    second.ack(null, { ok: true, epoch: 'e1', version: change.version, duplicate: false, change });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: false });
    expect(c.pendingCount).toBe(0);
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([['rate_limited', true]]);
  });

  it('reconnects after `conflict` and resends there', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const first = await gw.next('cart:add');
    first.ack(null, { ok: false, error: { code: 'conflict', message: 'superseded' } });
    await gw.accept();
    const again = await gw.next('cart:add');
    expect(again.socket).not.toBe(first.socket);
    expect(again.payload).toEqual(first.payload);
    const change = gw.commit(again);
    again.ack(null, { ok: true, epoch: 'e1', version: change.version, duplicate: false, change });
    await expect(added).resolves.toMatchObject({ version: 1 });
  });

  it('settles a mutation whose answer was lost from the catch-up sync, and takes the duplicate answer in stride', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const sent = await gw.next('cart:add');
    const change = gw.commit(sent);
    sent.socket.drop();
    await vi.waitFor(() => expect(gw.sockets.length).toBe(2));
    gw.sockets[1]?.accept();
    const sync = await gw.next('sync:since');
    expect(sync.payload).toEqual({ since: { epoch: 'e1', version: 0 } });
    sync.ack(null, { ok: true, nodeId: 'node-y', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [change] }, devices: [] });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: false });
    expect(c.pendingCount).toBe(0);
    expect(c.cart.get()).toMatchObject({ items: [tea], version: 1 });
  });

  it('asks for what it lacks when a duplicate answer says the server is ahead', async () => {
    const gw = fakeGateway();
    const { c } = client(gw, { gapTimeoutMs: 10 });
    await gw.accept();
    const added = c.cart.add(tea);
    const sent = await gw.next('cart:add');
    const change = gw.commit(sent);
    sent.ack(null, { ok: true, epoch: 'e1', version: 1, duplicate: true });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: true });
    expect(c.cart.get().items).toEqual([tea]);
    const sync = await gw.next('sync:since');
    sync.ack(null, { ok: true, nodeId: 'node-x', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [change] }, devices: [] });
    await vi.waitFor(() => expect(c.version).toBe(1));
    expect(c.cart.get().items).toEqual([tea]);
  });

  it('reports and ignores pushes and answers that do not match the protocol', async () => {
    const gw = fakeGateway();
    const { c, errors } = client(gw);
    await gw.accept();
    gw.sockets[0]?.fire('change', { epoch: 'e1', version: 1, op: { type: 'cart:explode' } });
    expect(c.version).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['internal']);
    const added = c.cart.add(tea);
    (await gw.next('cart:add')).ack(null, { ok: true, version: 'one' });
    // A nonsense answer says nothing about the mutation: it is kept and resent on a new connection.
    await gw.accept();
    const again = await gw.next('cart:add');
    const change = gw.commit(again);
    again.ack(null, { ok: true, epoch: 'e1', version: 1, duplicate: false, change });
    await expect(added).resolves.toMatchObject({ version: 1 });
  });

  it("refuses at once, with the server's code, a change the rules refuse on the cart it shows, and sends nothing", async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const tea = { sku: 'tea', title: 'Tea', priceCents: 1 };
    await gw.accept({ sync: { kind: 'snapshot', epoch: 'e1', version: 1, state: { cart: [{ ...tea, qty: 998 }], watch: [] } } });
    await vi.waitFor(() => expect(c.cart.get().items).toHaveLength(1));
    await expect(c.cart.add({ ...tea, qty: 2 })).rejects.toMatchObject({ code: 'bad_request', message: 'cart.add: qty would exceed 999' });
    await expect(c.cart.setQuantity('coffee', 1)).rejects.toMatchObject({ code: 'not_found' });
    expect(c.pendingCount).toBe(0);
    expect(c.cart.get().items).toEqual([{ ...tea, qty: 998 }]);
    const added = c.cart.add({ ...tea, qty: 1 });
    const request = await gw.next('cart:add');
    expect(request.payload).toMatchObject({ sku: 'tea', qty: 1 });
    expect(gw.sockets.flatMap((s) => s.requests).filter((r) => r.event === 'mutations:push')).toHaveLength(1);
    request.ack(null, { ok: true, epoch: 'e1', version: 2, duplicate: false, change: gw.commit(request) });
    await expect(added).resolves.toMatchObject({ version: 2 });
  });

  it('reports a restored mutation the server refuses, since no promise waits for it', async () => {
    const storage = memoryStorage();
    const gw1 = fakeGateway();
    const offline = client(gw1, { storage, connect: false });
    const lost = offline.c.cart.setQuantity('gone', 2);
    await vi.waitFor(() => expect(offline.c.pendingCount).toBe(1));
    await offline.c.close();
    await expect(lost).rejects.toMatchObject({ code: 'closed' });

    const gw2 = fakeGateway();
    const { c, errors } = client(gw2, { storage });
    await gw2.accept();
    const resent = await gw2.next('cart:set');
    expect(resent.payload).toMatchObject({ sku: 'gone', qty: 2 });
    resent.ack(null, { ok: false, error: { code: 'not_found', message: 'no line' } });
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['not_found']));
    expect(errors[0]?.mutation).toMatchObject({ event: 'cart:set', request: { sku: 'gone' } });
    expect(c.pendingCount).toBe(0);
  });

  it('drops stored changes of another user before connecting', async () => {
    const storage = memoryStorage();
    const gw1 = fakeGateway();
    const ana = client(gw1, { storage });
    await gw1.accept();
    ana.c.goOffline();
    void ana.c.cart.add(tea).catch(() => {});
    await vi.waitFor(() => expect(ana.c.pendingCount).toBe(1));
    await ana.c.close();

    const gw2 = fakeGateway();
    const bob = client(gw2, { storage, getToken: () => tokenFor('bob') });
    await gw2.accept();
    expect(bob.c.pendingCount).toBe(0);
    expect(bob.c.cart.get().items).toEqual([]);
    expect(gw2.sockets[0]?.requests.some((r) => r.event === 'mutations:push')).toBe(false);
  });

  it('keeps a device list pushed while its sync was out over the older list in the answer', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const sync = await gw.connect();
    const device = (deviceId: string, at: number) => ({ deviceId, name: '', kind: 'other', connectedAt: at, lastSeen: at, online: true, nodeId: 'n' });
    gw.sockets[0]?.fire('devices', { devices: [device('phone', 1), device('laptop', 2)] });
    sync.ack(null, { ok: true, nodeId: 'n', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 0, changes: [] }, devices: [device('phone', 1)] });
    await c.ready;
    expect(c.devices.list().map((d) => d.deviceId)).toEqual(['phone', 'laptop']);
  });
});
