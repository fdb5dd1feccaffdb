import { describe, expect, it } from 'vitest';
import { createClientState } from '../../src/client/client-state.ts';
import type { SyncClientError } from '../../src/errors.ts';
import { DEFAULT_WATCH_RULES, type Change, type CartLine } from '../../src/protocol/index.ts';
import { createKeyValueStore } from '../../src/storage/key-value-store.ts';
import { memoryStorage } from '../../src/storage/memory-storage.ts';
import { createClockOffset } from '../../src/sync/clock-offset.ts';
import type { SyncChangeEvent } from '../../src/types.ts';
import { systemTimers } from '../../src/util/timers.ts';

const tea = { sku: 'tea', title: 'Tea', priceCents: 300 };
const line = (qty: number): CartLine => ({ ...tea, qty });

/** The client's state with nothing around it: no socket, no sender; the test plays the server's answers. */
async function setup() {
  const errors: SyncClientError[] = [];
  const discarded: SyncClientError[] = [];
  const storage = memoryStorage();
  const state = createClientState({
    store: createKeyValueStore(storage, 't:'),
    timers: systemTimers(),
    clock: createClockOffset(),
    gapTimeoutMs: 300,
    deviceId: () => 'phone',
    nodeId: () => 'node-1',
    watchRules: () => DEFAULT_WATCH_RULES,
    needSync: () => {},
    drafts: () => [],
    discardDrafts: (error) => discarded.push(error),
    onError: (error) => errors.push(error),
  });
  await state.restore();
  const changes: SyncChangeEvent[] = [];
  state.onChange((event) => changes.push(event));
  const counts: number[] = [];
  state.onPendingCount((count) => counts.push(count));
  /** The server's state at version 1 of epoch e1 with `cart`. */
  const synced = (cart: CartLine[] = []) =>
    state.engine.applySync({ kind: 'snapshot', epoch: 'e1', version: 1, state: { cart, watch: [] } });
  const committed = (seq: number, version: number, qty: number, deviceId = 'phone'): Change => ({
    epoch: 'e1',
    version,
    deviceId,
    seq,
    at: 1000,
    op: { type: 'cart:line', sku: 'tea', line: line(qty) },
  });
  return { state, storage, errors, discarded, changes, counts, synced, committed };
}

describe('client state', () => {
  it('acked: resolves the promise, applies the committed change and clears the pending count', async () => {
    const t = await setup();
    t.synced();
    const added = t.state.submit({ event: 'cart:add', request: { ...tea, qty: 2 } });
    expect(t.state.views.cart().items).toEqual([line(2)]);
    const entry = await t.state.outbox.next();
    if (!entry?.seq) throw new Error('no queued entry');
    t.state.acked([entry], [{ epoch: 'e1', version: 2, duplicate: false, change: t.committed(entry.seq, 2, 2) }]);
    await expect(added).resolves.toEqual({ version: 2, seq: expect.any(Number), duplicate: false });
    expect(t.state.outbox.pendingCount).toBe(0);
    expect(t.counts).toEqual([1, 0]);
    expect(t.state.engine.state.version).toBe(2);
    expect(t.changes.at(-1)).toMatchObject({ type: 'change', source: 'ack', own: true, nodeId: 'node-1' });
  });

  it('rejected: rolls the local effect back, rejects the promise and reports the error once', async () => {
    const t = await setup();
    t.synced([line(1)]);
    const set = t.state.submit({ event: 'cart:set', request: { sku: 'tea', qty: 5 } });
    expect(t.state.views.cart().items).toEqual([line(5)]);
    const entry = await t.state.outbox.next();
    if (!entry) throw new Error('no queued entry');
    t.state.rejected(entry, { code: 'frozen', message: 'checkout' });
    await expect(set).rejects.toMatchObject({ code: 'frozen', mutation: { event: 'cart:set' } });
    expect(t.errors.map((e) => e.code)).toEqual(['frozen']);
    expect(t.state.views.cart().items).toEqual([line(1)]);
    expect(t.state.outbox.pendingCount).toBe(0);
  });

  it('applied: settles a queued change found in the log (its answer was lost)', async () => {
    const t = await setup();
    t.synced();
    const added = t.state.submit({ event: 'cart:add', request: { ...tea, qty: 1 } });
    const entry = await t.state.outbox.next();
    if (!entry?.seq) throw new Error('no queued entry');
    t.state.engine.receive(t.committed(entry.seq, 2, 1), 'sync');
    await expect(added).resolves.toEqual({ version: 2, seq: expect.any(Number), duplicate: false });
    expect(t.state.outbox.pendingCount).toBe(0);
  });

  it('refuses what the rules refuse on the state shown, once a state is known, with the server code', async () => {
    const t = await setup();
    // Nothing known yet: the server judges.
    const early = t.state.submit({ event: 'cart:set', request: { sku: 'mint', qty: 2 } });
    expect(t.state.outbox.pendingCount).toBe(1);
    t.synced([line(998)]);
    await expect(t.state.submit({ event: 'cart:add', request: { ...tea, qty: 2 } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(t.state.submit({ event: 'cart:add', request: { ...tea, qty: 1, currency: 'EUR' } })).rejects.toMatchObject({ code: 'currency_mismatch' });
    expect(t.state.outbox.pendingCount).toBe(1);
    void t.state.reset({ kind: 'signed_out' });
    await expect(early).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it("reset for another owner: rejects pending changes as forbidden and drops the state, the devices and the drafts", async () => {
    const t = await setup();
    t.state.ownerIs('ana');
    t.synced([line(1)]);
    t.state.devices.set([{ deviceId: 'phone', name: 'p', kind: 'phone', connectedAt: 1, lastSeen: 1, online: true, nodeId: 'n' }]);
    const pending = t.state.submit({ event: 'cart:remove', request: { sku: 'tea' } });
    t.state.ownerIs('ana');
    expect(t.state.outbox.pendingCount).toBe(1);
    t.state.ownerIs('bob');
    await expect(pending).rejects.toMatchObject({ code: 'forbidden' });
    expect(t.discarded.map((e) => e.code)).toEqual(['forbidden']);
    expect(t.state.outbox.pendingCount).toBe(0);
    expect(t.state.outbox.owner).toBe('bob');
    expect(t.state.engine.state).toMatchObject({ epoch: null, version: 0 });
    expect(t.state.views.cart().items).toEqual([]);
    expect(t.state.devices.list()).toEqual([]);
  });

  it('reset for a sign-out: rejects pending changes as unauthorized and forgets the cached state', async () => {
    const t = await setup();
    t.synced([line(3)]);
    await t.state.flush();
    expect(await t.storage.getItem('t:state:phone')).not.toBeNull();
    const pending = t.state.submit({ event: 'cart:clear', request: {} });
    await t.state.reset({ kind: 'signed_out' });
    await expect(pending).rejects.toMatchObject({ code: 'unauthorized', message: 'signed out' });
    expect(await t.storage.getItem('t:state:phone')).toBeNull();
    expect(t.state.views.cart().items).toEqual([]);
  });
});
