import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget } from './harness.ts';

export function cartContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('cart', () => {
    it('adds a line, adds quantities to it, and takes title and price from the newest add', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const first = await phone.add('sku-1', 2, 'Tea', 350);
      expect(first.change?.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: { sku: 'sku-1', title: 'Tea', priceCents: 350, qty: 2 } });
      const second = await phone.add('sku-1', 3, 'Green tea', 400);
      expect(second.change?.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: { sku: 'sku-1', title: 'Green tea', priceCents: 400, qty: 5 } });
      expect((await snapshotOf(engine, user)).state.cart).toEqual([{ sku: 'sku-1', title: 'Green tea', priceCents: 400, qty: 5 }]);
    });

    it('keeps titles with quotes, slashes and non-ASCII text intact (control characters are refused: see hardening)', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const title = 'Caf\u00e9 "cr\u00e8me" \\ / \u{1F375} \u2028 end';
      const result = await phone.add('sku-1', 1, title, 1);
      expect(result.change?.op).toMatchObject({ line: { title } });
      expect((await snapshotOf(engine, user)).state.cart[0]?.title).toBe(title);
    });

    it('sets a quantity, and removes the line when set to 0', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('sku-1', 2, 'Tea', 350);
      const set = await phone.send('cart:set', { sku: 'sku-1', qty: 7 });
      expect(set.change?.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: { sku: 'sku-1', title: 'Tea', priceCents: 350, qty: 7 } });
      const zero = await phone.send('cart:set', { sku: 'sku-1', qty: 0 });
      expect(zero.change?.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: null });
      expect((await snapshotOf(engine, user)).state.cart).toEqual([]);
    });

    it('answers not_found when setting a missing line, changing nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('sku-1');
      await expectCode(phone.send('cart:set', { sku: 'missing', qty: 2 }), 'not_found');
      await expectCode(phone.send('cart:set', { sku: 'missing', qty: 0 }), 'not_found');
      expect(await versionOf(engine, user)).toBe(1);
    });

    it('removes a line, and commits a noop (bumping the version) for a missing one', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('sku-1');
      const removed = await phone.send('cart:remove', { sku: 'sku-1' });
      expect(removed.change?.op).toEqual({ type: 'cart:line', sku: 'sku-1', line: null });
      const again = await phone.send('cart:remove', { sku: 'sku-1' });
      expect(again.change?.op).toEqual({ type: 'noop' });
      expect(again.version).toBe(3);
    });

    it('clears the cart', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('a');
      await phone.add('b');
      const cleared = await phone.send('cart:clear', {});
      expect(cleared.change?.op).toEqual({ type: 'cart:clear' });
      expect((await snapshotOf(engine, user)).state.cart).toEqual([]);
      expect((await phone.send('cart:clear', {})).change?.op).toEqual({ type: 'cart:clear' });
    });

    it(`holds at most ${LIMITS.cartLines} lines, but still adds to an existing line when full`, async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      for (let i = 0; i < LIMITS.cartLines; i += 1) await phone.add(`sku-${i}`);
      await expectCode(phone.add('one-too-many'), 'bad_request');
      expect((await phone.add('sku-0')).change?.op).toMatchObject({ line: { qty: 2 } });
      const snapshot = await snapshotOf(engine, user);
      expect(snapshot.state.cart).toHaveLength(LIMITS.cartLines);
      expect(snapshot.version).toBe(LIMITS.cartLines + 1);
    });

    it(`refuses an add that would pass qty ${LIMITS.qtyMax}, changing nothing`, async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('sku-1', 990);
      await expectCode(phone.add('sku-1', 10), 'bad_request');
      expect((await phone.add('sku-1', 9)).change?.op).toMatchObject({ line: { qty: LIMITS.qtyMax } });
      await expectCode(phone.add('sku-1', 1), 'bad_request');
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(LIMITS.qtyMax);
    });

    it('refuses quantities, prices and strings out of bounds with bad_request, changing nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const ok = { sku: 'sku-1', title: 'Tea', priceCents: 100, qty: 1 };
      const bad = [
        { ...ok, qty: 0 },
        { ...ok, qty: LIMITS.qtyMax + 1 },
        { ...ok, qty: 1.5 },
        { ...ok, priceCents: -1 },
        { ...ok, priceCents: 1.25 },
        { ...ok, priceCents: LIMITS.priceCentsMax + 1 },
        { ...ok, sku: '' },
        { ...ok, sku: 'x'.repeat(LIMITS.skuLength + 1) },
        { ...ok, sku: 'has space' },
        { ...ok, sku: '{u:other}' },
        { ...ok, title: '' },
        { ...ok, title: 't'.repeat(LIMITS.titleLength + 1) },
        { ...ok, title: 'lone \ud800 surrogate' },
        { ...ok, extra: true },
      ];
      for (const request of bad) await expectCode(phone.sendAt(1, 'cart:add', request as typeof ok), 'bad_request');
      await expectCode(phone.sendAt(1, 'cart:set', { sku: 'sku-1', qty: -1 }), 'bad_request');
      await expectCode(phone.sendAt(1, 'cart:set', { sku: 'sku-1', qty: LIMITS.qtyMax + 1 }), 'bad_request');
      expect(await versionOf(engine, user)).toBe(0);
      // The limits are inclusive.
      const edge = { sku: 'x'.repeat(LIMITS.skuLength), title: 't'.repeat(LIMITS.titleLength), priceCents: LIMITS.priceCentsMax, qty: LIMITS.qtyMax };
      expect((await phone.sendAt(1, 'cart:add', edge)).change?.op).toEqual({ type: 'cart:line', sku: edge.sku, line: edge });
    });

    it('lists the snapshot cart by sku', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      for (const sku of ['c', 'A', 'b', 'a']) await phone.add(sku);
      expect((await snapshotOf(engine, user)).state.cart.map((l) => l.sku)).toEqual(['A', 'a', 'b', 'c']);
    });
  });
}
