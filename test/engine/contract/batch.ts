import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, snapshotOf, uniqueUser, type ContractTarget } from './harness.ts';

const add = (sku: string, qty = 1) => ({ event: 'cart:add' as const, request: { sku, qty, title: `Item ${sku}`, priceCents: 100 } });

export function batchContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('a batch of mutations', () => {
    it('applies every mutation in order, each at its own version, and logs them in that order', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const at = Date.now();
      const outcome = await phone.push([
        add('a', 2),
        add('b'),
        { event: 'cart:set', request: { sku: 'a', qty: 5 } },
        { event: 'watch:report', request: { videoId: 'v1', positionSec: 100, durationSec: 1000, at, kind: 'progress' } },
        { event: 'cart:remove', request: { sku: 'b' } },
      ]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.results.map((r) => [r.version, r.duplicate, r.change?.seq])).toEqual([
        [1, false, 1],
        [2, false, 2],
        [3, false, 3],
        [4, false, 4],
        [5, false, 5],
      ]);
      const snapshot = await snapshotOf(engine, user);
      expect(snapshot.state.cart).toEqual([{ sku: 'a', title: 'Item a', priceCents: 100, qty: 5 }]);
      expect(snapshot.state.watch[0]).toMatchObject({ videoId: 'v1', positionSec: 100 });
      const log = await engine.sync(user, { epoch: snapshot.epoch, version: 0 });
      expect(log.kind === 'changes' && log.changes.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('stops at the first refused mutation, says why, and leaves the state and the seq of the refused one untouched', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const outcome = await phone.push([add('a'), { event: 'cart:set', request: { sku: 'missing', qty: 2 } }, add('c')]);
      expect(outcome.results).toHaveLength(1);
      expect(outcome.error?.code).toBe('not_found');
      const snapshot = await snapshotOf(engine, user);
      expect(snapshot.version).toBe(1);
      expect(snapshot.state.cart.map((l) => l.sku)).toEqual(['a']);
      // The refused seq (2) and the untried one (3) were not consumed.
      const again = await phone.pushAt([{ event: 'cart:add', request: { ...add('c').request, seq: 2 } } as Mutation]);
      expect(again.results[0]).toMatchObject({ duplicate: false, version: 2 });
    });

    it('stops before a mutation that breaks a limit', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const outcome = await phone.push([add('a'), add('b', 1000), add('c')]);
      expect(outcome.results).toHaveLength(1);
      expect(outcome.error?.code).toBe('bad_request');
      expect((await snapshotOf(engine, user)).state.cart.map((l) => l.sku)).toEqual(['a']);
    });

    it('answers the applied part of a resent batch as duplicates and applies the rest once', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const numbered = [add('a'), add('a'), add('a'), add('a')].map((m, i) => ({ ...m, request: { ...m.request, seq: i + 1 } }) as Mutation);
      await phone.pushAt(numbered.slice(0, 2));
      const resent = await phone.pushAt(numbered);
      expect(resent.error).toBeUndefined();
      expect(resent.results.map((r) => r.duplicate)).toEqual([true, true, false, false]);
      expect(resent.results.map((r) => r.version)).toEqual([2, 2, 3, 4]);
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(4);
    });

    it('charges the rate limit per mutation and stops when the bucket is empty', async () => {
      // A bucket of 4 (the connect may take one): a push of 5 gets part of the way, one token per mutation.
      const engine = await use.one({ rateLimit: { perSecond: 0.001, burst: 4 }, maxDevices: 10 });
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const outcome = await phone.push([add('a'), add('b'), add('c'), add('d'), add('e')]);
      expect(outcome.results.length).toBeGreaterThanOrEqual(3);
      expect(outcome.results.length).toBeLessThanOrEqual(4);
      expect(outcome.error?.code).toBe('rate_limited');
      expect((await snapshotOf(engine, user)).version).toBe(outcome.results.length);
    });

    it('refuses the whole batch of a superseded connection', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await connect(engine, user, 'phone');
      const outcome = await phone.push([add('a'), add('b')]);
      expect(outcome.results).toHaveLength(0);
      expect(outcome.error?.code).toBe('conflict');
      expect((await snapshotOf(engine, user)).version).toBe(0);
    });

    it('applies two batches of one device sent at once through two connections exactly once each', async () => {
      const [one, two] = await use.many(2);
      if (!one || !two) throw new Error('engines');
      const user = uniqueUser();
      const phone = await connect(one, user, 'phone');
      const numbered = [add('a'), add('a'), add('a')].map((m, i) => ({ ...m, request: { ...m.request, seq: i + 1 } }) as Mutation);
      const outcomes = await Promise.all([phone.pushAt(numbered), phone.via(two).pushAt(numbered)]);
      const applied = outcomes.flatMap((o) => o.results).filter((r) => !r.duplicate);
      expect(applied).toHaveLength(3);
      expect((await snapshotOf(one, user)).state.cart[0]?.qty).toBe(3);
    });
  });
}
