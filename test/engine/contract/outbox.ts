import { describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../../../server/engine/engine.ts';
import { EVENT_TYPES } from '../../../server/webhooks/events.ts';
import { demandOf, type EventDemand, type SealOptions } from '../../../server/webhooks/outbox.ts';
import { engines, ROOMY, TestDevice, uniqueUser, type ContractTarget } from './harness.ts';

/** A demand for every event type that also remembers the users it was told about. */
function everything(): EventDemand & { told: Set<string> } {
  const told = new Set<string>();
  return { current: () => demandOf(EVENT_TYPES), recorded: (u) => told.add(u), told };
}

const NOW: SealOptions = { debounceMs: 0, graceMs: 0, limit: 100 };
const LATER: SealOptions = { debounceMs: 60_000, graceMs: 60_000, limit: 100 };

async function connect(engine: Engine, userId: string, deviceId: string): Promise<TestDevice> {
  const connId = `c-${deviceId}-${Math.random().toString(36).slice(2, 8)}`;
  await engine.connectDevice(userId, { deviceId, name: deviceId, kind: 'phone', nodeId: 'n1', connId, issuedAt: Date.now() - 1000 });
  return new TestDevice(engine, { userId, deviceId, connId, issuedAt: Date.now() - 1000 });
}

const add = (sku: string, qty = 1) => ({ sku, title: sku, priceCents: 100, qty });

/** The outbox: what each store write records for webhooks, in the same atomic step, and how it is sealed. */
export function outboxContract(getTarget: () => ContractTarget): void {
  const make = engines(getTarget);
  const withEvents = (demand: EventDemand): EngineOptions => ({ ...ROOMY, events: demand });

  describe('webhook outbox', () => {
    it('records nothing while no one wants events', async () => {
      const engine = await make.one(ROOMY);
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.send('cart:add', add('a'));
      expect(await engine.outbox.depth(user)).toBe(0);
    });

    it('records a burst of cart changes as one cart.updated carrying the cart at its version', async () => {
      const demand = everything();
      const engine = await make.one(withEvents(demand));
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.send('cart:add', add('a'));
      await phone.send('cart:add', add('b', 2));
      await phone.send('cart:set', { sku: 'a', qty: 3 });
      expect(demand.told.has(user)).toBe(true);
      // Still inside the debounce: nothing is sealed, the burst waits as one open entry.
      const early = await engine.outbox.seal(user, LATER);
      expect(early.events.map((e) => e.type)).toEqual(['device.connected']);
      expect(early.openDueAt).not.toBeNull();
      const batch = await engine.outbox.seal(user, NOW);
      expect(batch.events.map((e) => e.type)).toEqual(['device.connected', 'cart.updated']);
      const cart = batch.events[1];
      expect(cart?.version).toBe(3);
      expect(cart?.data.cart).toEqual([
        { sku: 'a', title: 'a', priceCents: 100, qty: 3 },
        { sku: 'b', title: 'b', priceCents: 100, qty: 2 },
      ].sort((x, y) => (x.sku < y.sku ? -1 : 1)));
      // A change after sealing starts a new event with a new id.
      await phone.send('cart:remove', { sku: 'b' });
      const next = await engine.outbox.seal(user, NOW);
      expect(next.events.map((e) => e.type)).toEqual(['device.connected', 'cart.updated', 'cart.updated']);
      expect(new Set(next.events.map((e) => e.id)).size).toBe(3);
      expect(next.events.map((e) => e.seq)).toEqual([...next.events.map((e) => e.seq)].sort((a, b) => a - b));
    });

    it('records watch.completed once when a video passes the threshold, progress debounced per video', async () => {
      const engine = await make.one(withEvents(everything()));
      const user = uniqueUser();
      const tv = await connect(engine, user, 'tv');
      // In the past: report times are clamped to the server's now, and each must be later than the last.
      const at = Date.now() - 10_000;
      await tv.send('watch:report', { videoId: 'v1', positionSec: 100, durationSec: 1000, at, kind: 'progress' });
      await tv.send('watch:report', { videoId: 'v1', positionSec: 200, durationSec: 1000, at: at + 1, kind: 'progress' });
      await tv.send('watch:report', { videoId: 'v1', positionSec: 960, durationSec: 1000, at: at + 2, kind: 'progress' });
      await tv.send('watch:report', { videoId: 'v1', positionSec: 980, durationSec: 1000, at: at + 3, kind: 'progress' });
      const batch = await engine.outbox.seal(user, NOW);
      expect(batch.events.map((e) => e.type)).toEqual(['device.connected', 'watch.progress', 'watch.completed', 'watch.progress']);
      expect(batch.events[1]?.data.entry).toMatchObject({ videoId: 'v1', positionSec: 200, completed: false });
      expect(batch.events[2]?.data.entry).toMatchObject({ videoId: 'v1', completed: true });
    });

    it('holds device.disconnected for the grace and cancels it with a reconnect within it', async () => {
      const engine = await make.one(withEvents(everything()));
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await engine.disconnectDevice(user, 'phone', phone.actor.connId);
      const waiting = await engine.outbox.seal(user, LATER);
      expect(waiting.events.map((e) => e.type)).toEqual(['device.connected']);
      await connect(engine, user, 'phone');
      const batch = await engine.outbox.seal(user, LATER);
      expect(batch.events.map((e) => e.type)).toEqual(['device.connected', 'skip', 'skip']);
      const laptop = await connect(engine, user, 'laptop');
      await engine.disconnectDevice(user, 'laptop', laptop.actor.connId);
      const gone = await engine.outbox.seal(user, NOW);
      expect(gone.events.slice(3).map((e) => [e.type, e.data.deviceId])).toEqual([
        ['device.connected', 'laptop'],
        ['device.disconnected', 'laptop'],
      ]);
    });

    it('records checkout completion, and user.erased outlives the erase with the events before it', async () => {
      const engine = await make.one(withEvents(everything()));
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.send('cart:add', add('a'));
      await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: 60_000 }, { writerId: 'backend-orders' });
      await engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'complete' }, { writerId: 'backend-orders' });
      expect((await engine.backend.erase(user)).erased).toBe(true);
      const batch = await engine.outbox.seal(user, NOW);
      // The completed checkout emptied the cart: a cart.updated follows it.
      expect(batch.events.map((e) => e.type)).toEqual(['device.connected', 'cart.updated', 'cart.checkout.completed', 'cart.updated', 'user.erased']);
      expect(batch.events[2]?.data.checkoutId).toBe('co-1');
    });

    it('trims what every target passed, and one owner at a time holds a user', async () => {
      const [a, b] = await make.many(2, withEvents(everything()));
      if (!a || !b) throw new Error('engines');
      const user = uniqueUser();
      await connect(a, user, 'phone');
      await connect(a, user, 'tablet');
      expect(await a.outbox.claim(user, 'node-a', 5000)).toBe(true);
      expect(await b.outbox.claim(user, 'node-b', 5000)).toBe(false);
      const batch = await a.outbox.seal(user, NOW);
      await a.outbox.saveState(user, 'ep_x', { cursor: batch.events[0]?.seq ?? 0, attempts: 0, nextAt: 0 });
      expect(await a.outbox.trim(user, batch.events[0]?.seq ?? 0)).toBe(1);
      await a.outbox.release(user, 'node-a');
      expect(await b.outbox.claim(user, 'node-b', 5000)).toBe(true);
      const rest = await b.outbox.seal(user, NOW);
      expect(rest.events.map((e) => e.data.deviceId)).toEqual(['tablet']);
      expect(rest.states.get('ep_x')?.cursor).toBe(batch.events[0]?.seq);
    });

    it('finds users with pending events through the index and the sweep', async () => {
      const engine = await make.one(withEvents(everything()));
      const user = uniqueUser();
      await connect(engine, user, 'phone');
      expect(await engine.outbox.sweep()).toBeGreaterThanOrEqual(1);
      expect(await engine.outbox.dueUsers(10_000)).toContain(user);
      await engine.outbox.trim(user, Number.MAX_SAFE_INTEGER);
      await engine.outbox.settle(user, null);
      expect(await engine.outbox.dueUsers(10_000)).not.toContain(user);
    });
  });
}
