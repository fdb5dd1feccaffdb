import { describe, expect, it, vi } from 'vitest';
import { freezeHolds } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget, clockPast } from './harness.ts';

const orders = { writerId: 'backend-orders' };
const MINUTE = 60_000;

export function checkoutContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('checkout', () => {
    it('freezes the cart: answers the cart, the version and the expiry, and every reader sees the freeze', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea', 2, 'Tea', 350);
      const before = Date.now();
      const frozen = await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: 15 * MINUTE }, orders);
      expect(frozen.version).toBe(2);
      expect(frozen.cart).toEqual([{ sku: 'tea', title: 'Tea', priceCents: 350, qty: 2 }]);
      expect(frozen.freeze.checkoutId).toBe('co-1');
      expect(frozen.freeze.expiresAt).toBeGreaterThanOrEqual(before + 15 * MINUTE - 1000);
      expect(frozen.change).toMatchObject({ version: 2, deviceId: 'backend-orders', seq: 2, op: { type: 'cart:freeze', freeze: frozen.freeze } });
      expect((await snapshotOf(engine, user)).state.frozen).toEqual(frozen.freeze);
      const changes = await engine.sync(user, { epoch: frozen.epoch, version: 1 });
      expect(changes.kind === 'changes' && changes.changes.map((c) => c.op.type)).toEqual(['cart:freeze']);
    });

    it('refuses every device cart edit with frozen while frozen, changing nothing; watch progress goes on', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea', 2);
      await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: 15 * MINUTE }, orders);
      await expectCode(phone.add('cake'), 'frozen');
      await expectCode(phone.add('tea'), 'frozen');
      await expectCode(phone.send('cart:set', { sku: 'tea', qty: 5 }), 'frozen');
      await expectCode(phone.send('cart:remove', { sku: 'tea' }), 'frozen');
      await expectCode(phone.send('cart:clear', {}), 'frozen');
      expect(await versionOf(engine, user)).toBe(2);
      expect((await snapshotOf(engine, user)).state.cart).toMatchObject([{ sku: 'tea', qty: 2 }]);
      const watched = await phone.send('watch:report', { videoId: 'v', positionSec: 1, durationSec: 10, at: Date.now() - 1000, kind: 'progress' });
      expect(watched.change?.op.type).toBe('watch');
    });

    it('answers a repeated freeze of the same checkout again, and refuses another checkout with frozen', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      const first = await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: MINUTE }, orders);
      const again = await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: MINUTE }, orders);
      expect(again).toEqual({ epoch: first.epoch, version: first.version, freeze: first.freeze, cart: first.cart });
      await expectCode(engine.freezeCart(user, { checkoutId: 'co-2', ttlMs: MINUTE }, orders), 'frozen');
      expect(await versionOf(engine, user)).toBe(2);
    });

    it('completes: clears the cart and unfreezes it in one change; a repeat changes nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: MINUTE }, orders);
      const done = await engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'complete' }, orders);
      expect(done.change).toMatchObject({ version: 3, op: { type: 'cart:unfreeze', checkoutId: 'co-1', cleared: true } });
      const snapshot = await snapshotOf(engine, user);
      expect(snapshot.state.cart).toEqual([]);
      expect(snapshot.state.frozen).toBeUndefined();
      const repeat = await engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'complete' }, orders);
      expect(repeat).toEqual({ epoch: done.epoch, version: 3 });
      await expectCode(engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'cancel' }, orders), 'conflict');
      expect((await phone.add('cake')).version).toBe(4);
    });

    it('cancels: unfreezes and keeps the cart, so devices edit it again', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: MINUTE }, orders);
      const cancelled = await engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'cancel' }, orders);
      expect(cancelled.change?.op).toEqual({ type: 'cart:unfreeze', checkoutId: 'co-1', cleared: false });
      expect((await snapshotOf(engine, user)).state).toMatchObject({ cart: [{ sku: 'tea', qty: 1 }] });
      expect((await phone.add('tea')).change?.op).toMatchObject({ line: { qty: 2 } });
      await expectCode(engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'complete' }, orders), 'conflict');
    });

    it('lapses by itself: past the expiry devices edit again, with no write; completing it then is a conflict', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      const { freeze } = await engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: 300 }, orders);
      // The freeze stays in the state with its expiry; every reader treats an expired one as none.
      await clockPast(freeze.expiresAt);
      expect(freezeHolds(freeze, Date.now())).toBe(false);
      const added = await vi.waitFor(() => phone.add('cake'), { timeout: 5000, interval: 50 });
      expect(added.version).toBe(3);
      expect(freezeHolds((await snapshotOf(engine, user)).state.frozen, Date.now())).toBe(false);
      await expectCode(engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'complete' }, orders), 'conflict');
      const next = await engine.freezeCart(user, { checkoutId: 'co-2', ttlMs: MINUTE }, orders);
      expect(next.cart.map((l) => l.sku)).toEqual(['cake', 'tea']);
      // co-2 holds the cart now: co-1 is no longer known.
      await expectCode(engine.endCheckout(user, { checkoutId: 'co-1', outcome: 'cancel' }, orders), 'not_found');
    });

    it('refuses to freeze an unknown user (not_found) or an empty cart (bad_request), and to end an unknown checkout', async () => {
      const engine = await use.one();
      await expectCode(engine.freezeCart(uniqueUser(), { checkoutId: 'co-1', ttlMs: MINUTE }, orders), 'not_found');
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      await phone.send('cart:clear', {});
      await expectCode(engine.freezeCart(user, { checkoutId: 'co-1', ttlMs: MINUTE }, orders), 'bad_request');
      await expectCode(engine.endCheckout(user, { checkoutId: 'nope', outcome: 'complete' }, orders), 'not_found');
      await expectCode(engine.endCheckout(uniqueUser(), { checkoutId: 'nope', outcome: 'cancel' }, orders), 'not_found');
      expect(await versionOf(engine, user)).toBe(2);
    });
  });
}
