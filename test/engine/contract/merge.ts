import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget } from './harness.ts';

const backend = { writerId: 'backend-auth' };
const report = (videoId: string, positionSec: number, at: number) => ({ videoId, positionSec, durationSec: 1000, at, kind: 'seek' as const });

export function mergeContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('guest merge', () => {
    it('sums the carts, keeps the newer watch entry per video, and commits one change', async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const guest = uniqueUser();
      const laptop = await connect(engine, account, 'laptop');
      const phone = await connect(engine, guest, 'phone');
      const t = Date.now() - 60_000;
      await laptop.add('tea', 1, 'Tea', 300);
      await laptop.send('watch:report', report('film-a', 500, t + 10));
      await laptop.send('watch:report', report('film-b', 200, t));
      await phone.add('tea', 2, 'Green tea', 350);
      await phone.add('cake', 1, 'Cake', 500);
      await phone.send('watch:report', report('film-a', 50, t));
      await phone.send('watch:report', report('film-b', 700, t + 20));
      await phone.send('watch:report', report('film-c', 90, t + 30));

      const merged = await engine.mergeInto(account, { fromUserId: guest, mode: 'merge', quantities: 'sum' }, backend);
      expect(merged.duplicate).toBe(false);
      expect(merged.cart).toEqual([
        { sku: 'cake', title: 'Cake', priceCents: 500, qty: 1 },
        { sku: 'tea', title: 'Green tea', priceCents: 350, qty: 3 },
      ]);
      const positions = Object.fromEntries(merged.watch.map((e) => [e.videoId, e.positionSec]));
      expect(positions).toEqual({ 'film-a': 500, 'film-b': 700, 'film-c': 90 });
      expect(merged.change).toMatchObject({ version: 4, deviceId: 'backend-auth', op: { type: 'merge', cart: merged.cart } });
      const snapshot = await snapshotOf(engine, account);
      expect(snapshot.state.cart).toEqual(merged.cart);
      expect(snapshot.state.watch).toEqual(merged.watch);
    });

    it('is idempotent: a repeat answers duplicate with the same state, even after the guest changed', async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const guest = uniqueUser();
      await (await connect(engine, account, 'laptop')).add('tea', 1);
      const phone = await connect(engine, guest, 'phone');
      await phone.add('tea', 2);
      const request = { fromUserId: guest, mode: 'merge', quantities: 'sum' } as const;
      const first = await engine.mergeInto(account, request, backend);
      await phone.add('tea', 5);
      const again = await engine.mergeInto(account, request, backend);
      expect(again).toMatchObject({ duplicate: true, version: first.version, cart: first.cart });
      expect(again.change).toBeUndefined();
      expect(await versionOf(engine, account)).toBe(first.version);
    });

    it('takes the larger quantity with max, and the guest cart whole with replace (an empty guest cart replaces nothing)', async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const laptop = await connect(engine, account, 'laptop');
      await laptop.add('tea', 4);
      await laptop.add('mug', 1);
      const g1 = uniqueUser();
      await (await connect(engine, g1, 'phone')).add('tea', 3);
      const max = await engine.mergeInto(account, { fromUserId: g1, mode: 'merge', quantities: 'max' }, backend);
      expect(max.cart.map((l) => [l.sku, l.qty])).toEqual([['mug', 1], ['tea', 4]]);
      const g2 = uniqueUser();
      await (await connect(engine, g2, 'phone')).add('cake', 2);
      const replaced = await engine.mergeInto(account, { fromUserId: g2, mode: 'replace', quantities: 'sum' }, backend);
      expect(replaced.cart.map((l) => [l.sku, l.qty])).toEqual([['cake', 2]]);
      const g3 = uniqueUser();
      const empty = await connect(engine, g3, 'phone');
      await empty.add('x');
      await empty.send('cart:clear', {});
      const kept = await engine.mergeInto(account, { fromUserId: g3, mode: 'replace', quantities: 'sum' }, backend);
      expect(kept.cart.map((l) => l.sku)).toEqual(['cake']);
    });

    it(`caps quantities at ${LIMITS.qtyMax} and lists guest lines that did not fit a full cart`, async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const laptop = await connect(engine, account, 'laptop');
      await laptop.add('tea', 990);
      for (let i = 1; i < LIMITS.cartLines; i += 1) await laptop.add(`a-${i}`);
      const guest = uniqueUser();
      const phone = await connect(engine, guest, 'phone');
      await phone.add('tea', 20);
      await phone.add('zz-new');
      const merged = await engine.mergeInto(account, { fromUserId: guest, mode: 'merge', quantities: 'sum' }, backend);
      expect(merged.cart.find((l) => l.sku === 'tea')?.qty).toBe(LIMITS.qtyMax);
      expect(merged.cart).toHaveLength(LIMITS.cartLines);
      expect(merged.dropped).toEqual(['zz-new']);
    });

    it('refuses carts in two currencies (currency_mismatch), a frozen account (frozen), an unknown guest and itself', async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const laptop = await connect(engine, account, 'laptop');
      await laptop.send('cart:add', { sku: 'tea', title: 'Tea', priceCents: 300, qty: 1, currency: 'EUR' });
      const guest = uniqueUser();
      await (await connect(engine, guest, 'phone')).send('cart:add', { sku: 'tea', title: 'Tea', priceCents: 300, qty: 1, currency: 'USD' });
      await expectCode(engine.mergeInto(account, { fromUserId: guest, mode: 'merge', quantities: 'sum' }, backend), 'currency_mismatch');
      await engine.freezeCart(account, { checkoutId: 'co-1', ttlMs: 60_000 }, backend);
      await expectCode(engine.mergeInto(account, { fromUserId: guest, mode: 'replace', quantities: 'sum' }, backend), 'frozen');
      await engine.endCheckout(account, { checkoutId: 'co-1', outcome: 'cancel' }, backend);
      const replaced = await engine.mergeInto(account, { fromUserId: guest, mode: 'replace', quantities: 'sum' }, backend);
      expect(replaced.cart).toEqual([{ sku: 'tea', title: 'Tea', priceCents: 300, qty: 1, currency: 'USD' }]);
      await expectCode(engine.mergeInto(account, { fromUserId: uniqueUser(), mode: 'merge', quantities: 'sum' }, backend), 'not_found');
      await expectCode(engine.mergeInto(account, { fromUserId: account, mode: 'merge', quantities: 'sum' }, backend), 'bad_request');
    });

    it('merges into an account that has no state yet', async () => {
      const engine = await use.one();
      const account = uniqueUser();
      const guest = uniqueUser();
      await (await connect(engine, guest, 'phone')).add('tea', 2);
      const merged = await engine.mergeInto(account, { fromUserId: guest, mode: 'merge', quantities: 'sum' }, backend);
      expect(merged).toMatchObject({ version: 1, cart: [{ sku: 'tea', qty: 2 }] });
      expect((await snapshotOf(engine, account)).state.cart).toEqual(merged.cart);
    });
  });
}
