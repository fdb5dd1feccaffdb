import { afterEach, describe, expect, it, vi } from 'vitest';
import { client, closeClients, fakeGateway, laptopWatched } from '../support/fake-gateway.ts';

afterEach(closeClients);

describe('client clock and snapshot order against a scripted gateway', () => {
  it('corrects watch report times by the estimated clock offset', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept({ serverTime: Date.now() + 60_000 });
    await c.ready;
    expect(c.clockOffsetMs).toBeGreaterThan(59_000);
    void c.watch.report('v', 10, 100, { event: 'pause' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at - Date.now()).toBeGreaterThan(59_000);
  });

  it('stamps a report made after seeing a change after that change, even when the clock estimate lags', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    // As if the answer sat 10 s in a busy page before it was read: the estimate says the server is 5 s behind.
    await gw.accept({ serverTime: Date.now() - 5_000 });
    await c.ready;
    expect(c.clockOffsetMs).toBeLessThan(-4_000);
    const seenAt = Date.now();
    gw.sockets[0]?.fire('change', laptopWatched(1, seenAt));
    await vi.waitFor(() => expect(c.watch.get('v')?.positionSec).toBe(60));
    void c.watch.report('v', 25, 100, { event: 'seek' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at).toBeGreaterThan(seenAt);
  });

  it('reports a snapshot at its own version, then each change buffered meanwhile once, in order', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const events: string[] = [];
    c.onChange((e) => events.push(e.type === 'snapshot' ? `snapshot v${e.version}` : `change v${e.change.version}`));
    const sync = await gw.connect();
    // A push that overtakes the sync answer is kept until the answer says which epoch it is in.
    const line = { sku: 'tea', title: 'Tea', priceCents: 450, qty: 2 };
    gw.sockets[0]?.fire('change', { epoch: 'e1', version: 3, deviceId: 'laptop', seq: 7, at: Date.now(), op: { type: 'cart:line', sku: 'tea', line } });
    sync.ack(null, { ok: true, nodeId: 'n', serverTime: Date.now(), sync: { kind: 'snapshot', epoch: 'e1', version: 2, state: { cart: [], watch: [] } }, devices: [] });
    await c.ready;
    await vi.waitFor(() => expect(c.cart.get().version).toBe(3));
    expect(events).toEqual(['snapshot v2', 'change v3']);
  });

  it('takes the same bound from the changes in a sync answer', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const seenAt = Date.now();
    await gw.accept({ serverTime: seenAt - 5_000, sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [laptopWatched(1, seenAt)] } });
    await c.ready;
    void c.watch.report('v', 25, 100, { event: 'seek' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at).toBeGreaterThan(seenAt);
  });
});
