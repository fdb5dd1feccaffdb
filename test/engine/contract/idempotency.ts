import { describe, expect, it } from 'vitest';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget } from './harness.ts';

export function idempotencyContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('exactly-once by (deviceId, seq)', () => {
    it('answers a resend of the same seq as a duplicate with its version, changing nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const first = await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 2 });
      const again = await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 2 });
      expect(again).toEqual({ epoch: first.epoch, version: first.version, duplicate: true });
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(2);
      expect(await versionOf(engine, user)).toBe(1);
    });

    it('answers an old seq arriving late as a duplicate, however late, with a version at or after its own', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('a');
      await phone.add('a');
      const third = await phone.add('a');
      const late = await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      expect(late.duplicate).toBe(true);
      expect(late.version).toBe(third.version);
      expect(late.change).toBeUndefined();
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(3);
    });

    it('accepts a seq that skips ahead, then treats the skipped ones as duplicates', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      const skipped = await phone.sendAt(5, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      expect(skipped.duplicate).toBe(false);
      expect(skipped.change?.seq).toBe(5);
      expect((await phone.sendAt(3, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 })).duplicate).toBe(true);
      expect((await phone.sendAt(6, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 })).duplicate).toBe(false);
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(3);
    });

    it('numbers each device separately', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const laptop = await connect(engine, user, 'laptop');
      await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      const other = await laptop.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      expect(other.duplicate).toBe(false);
      expect(other.change).toMatchObject({ deviceId: 'laptop', seq: 1, version: 2 });
    });

    it('does not consume the seq of a refused mutation', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await expectCode(phone.sendAt(1, 'cart:set', { sku: 'a', qty: 1 }), 'not_found');
      await expectCode(phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1000 }), 'bad_request');
      const applied = await phone.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 });
      expect(applied).toMatchObject({ duplicate: false, version: 1 });
    });

    it('keeps every digit of a seq near 2^53 and still deduplicates it', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const seq = Number.MAX_SAFE_INTEGER - 1;
      const applied = await phone.sendAt(seq, 'cart:remove', { sku: 'a' });
      expect(applied.change?.seq).toBe(seq);
      const sync = await engine.sync(user, { epoch: applied.epoch, version: 0 });
      expect(sync.kind === 'changes' && sync.changes[0]?.seq).toBe(seq);
      expect((await phone.sendAt(seq, 'cart:remove', { sku: 'a' })).duplicate).toBe(true);
      expect((await phone.sendAt(Number.MAX_SAFE_INTEGER, 'cart:remove', { sku: 'a' })).duplicate).toBe(false);
    });

    it('applies a mutation sent at once through two connections exactly once', async () => {
      const [one, two] = await use.many(2);
      if (!one || !two) throw new Error('engines');
      const user = uniqueUser();
      const phone = await connect(one, user, 'phone');
      const request = { sku: 'a', title: 'A', priceCents: 1, qty: 1 };
      const results = await Promise.all([phone.sendAt(1, 'cart:add', request), phone.via(two).sendAt(1, 'cart:add', request)]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect((await snapshotOf(one, user)).state.cart[0]?.qty).toBe(1);
    });
  });
}
