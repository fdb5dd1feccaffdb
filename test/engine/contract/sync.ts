import { describe, expect, it } from 'vitest';
import { LIMITS, type Change } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, snapshotOf, uniqueUser, type ContractTarget } from './harness.ts';

export function syncContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('versions, change log and sync', () => {
    it('answers a first sync of a new user with an empty snapshot at version 0 of an epoch', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const payload = await engine.sync(user, null);
      expect(payload).toMatchObject({ kind: 'snapshot', version: 0, state: { cart: [], watch: [] } });
      expect(payload.epoch.length).toBeGreaterThan(0);
      expect((await engine.sync(user, null)).epoch).toBe(payload.epoch);
    });

    it('resumes a reconnecting device in one step: the same sync answer and the user\'s devices', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await connect(engine, user, 'laptop');
      await phone.add('a');
      await phone.add('b');
      const first = await engine.resume(user, null);
      expect(first.sync).toEqual(await engine.sync(user, null));
      expect(first.devices).toEqual(await engine.listDevices(user));
      expect(first.devices.map((d) => d.deviceId).sort()).toEqual(['laptop', 'phone']);
      const since = { epoch: first.sync.epoch, version: 1 };
      const later = await engine.resume(user, since);
      expect(later.sync).toEqual(await engine.sync(user, since));
      expect(later.sync).toMatchObject({ kind: 'changes', version: 2, changes: [{ version: 2 }] });
      expect(await engine.resume(uniqueUser(), null)).toMatchObject({ sync: { kind: 'snapshot', version: 0 }, devices: [] });
    });

    it('bumps the version by one per mutation and logs each change as it was answered', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const before = Date.now();
      const answered: Change[] = [];
      for (let i = 1; i <= 5; i += 1) {
        const result = await phone.add('a');
        expect(result).toMatchObject({ version: i, duplicate: false });
        if (result.change) answered.push(result.change);
      }
      expect(answered.map((c) => [c.version, c.seq, c.deviceId])).toEqual([1, 2, 3, 4, 5].map((v) => [v, v, 'phone']));
      for (const change of answered) {
        expect(change.epoch).toBe(answered[0]?.epoch);
        expect(change.at).toBeGreaterThanOrEqual(before - 1000);
        expect(change.at).toBeLessThanOrEqual(Date.now() + 1000);
      }
      const payload = await engine.sync(user, { epoch: answered[0]?.epoch ?? '', version: 0 });
      expect(payload).toEqual({ kind: 'changes', epoch: answered[0]?.epoch, version: 5, changes: answered });
    });

    it('returns exactly the changes after a version, or none when up to date', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const results = [];
      for (let i = 0; i < 6; i += 1) results.push(await phone.add(`sku-${i}`));
      const epoch = results[0]?.epoch ?? '';
      const since3 = await engine.sync(user, { epoch, version: 3 });
      expect(since3.kind === 'changes' && since3.changes.map((c) => c.version)).toEqual([4, 5, 6]);
      expect(since3.kind === 'changes' && since3.changes).toEqual(results.slice(3).map((r) => r.change));
      expect(await engine.sync(user, { epoch, version: 6 })).toEqual({ kind: 'changes', epoch, version: 6, changes: [] });
    });

    it('answers a snapshot for another epoch', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const { epoch } = await phone.add('a', 2);
      const expected = { kind: 'snapshot', epoch, version: 1, state: { cart: [{ sku: 'a', title: 'Item a', priceCents: 100, qty: 2 }], watch: [] } };
      expect(await engine.sync(user, { epoch: 'another-epoch', version: 1 })).toEqual(expected);
      expect(await engine.sync(user, null)).toEqual(expected);
    });

    it('answers a client ahead of the server (the store went back) with a reset in a new epoch, counting the loss once', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const { epoch } = await phone.add('a', 2);
      const state = { cart: [{ sku: 'a', title: 'Item a', priceCents: 100, qty: 2 }], watch: [] };
      const first = await engine.resume(user, { epoch, version: 3 });
      expect(first.sync).toMatchObject({ kind: 'snapshot', version: 1, state, reset: { reason: 'store_regressed', epoch, fromVersion: 2, toVersion: 3 } });
      expect(first.sync.epoch).not.toBe(epoch);
      expect(first.newlyLost).toBe(2);
      // Another device that had seen as far learns the same; only what nobody reported before is counted.
      const again = await engine.resume(user, { epoch, version: 3 });
      expect(again).toMatchObject({ sync: { epoch: first.sync.epoch, reset: { fromVersion: 2, toVersion: 3 } }, newlyLost: 0 });
      expect((await engine.resume(user, { epoch, version: 4 })).newlyLost).toBe(1);
      // A client that had not seen past the fork just takes the snapshot; new writes continue the versions.
      expect(await engine.sync(user, { epoch, version: 1 })).toEqual({ kind: 'snapshot', epoch: first.sync.epoch, version: 1, state });
      expect(await phone.add('b')).toMatchObject({ epoch: first.sync.epoch, version: 2 });
    });

    it(`keeps the last ${LIMITS.changeLog} changes and answers a snapshot when the log no longer reaches back`, async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const total = LIMITS.changeLog + 5;
      let epoch = '';
      for (let i = 0; i < total; i += 1) epoch = (await phone.send('cart:remove', { sku: `sku-${i % 7}` })).epoch;
      await phone.add('kept', 3);
      const last = total + 1;
      // The log holds versions last - 999 .. last: a client at last - 1000 still gets changes.
      const reach = await engine.sync(user, { epoch, version: last - LIMITS.changeLog });
      expect(reach.kind).toBe('changes');
      if (reach.kind === 'changes') {
        expect(reach.changes).toHaveLength(LIMITS.changeLog);
        expect(reach.changes[0]?.version).toBe(last - LIMITS.changeLog + 1);
        expect(reach.changes.at(-1)?.op).toMatchObject({ type: 'cart:line', sku: 'kept' });
      }
      const beyond = await engine.sync(user, { epoch, version: last - LIMITS.changeLog - 1 });
      expect(beyond).toMatchObject({ kind: 'snapshot', epoch, version: last, state: { cart: [{ sku: 'kept', qty: 3 }] } });
    });

    it('makes a new epoch when the store loses its data, and answers the old epoch with a snapshot', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const { epoch } = await phone.add('a');
      const after = await use.loseData(engine);
      const payload = await after.sync(user, { epoch, version: 1 });
      expect(payload).toMatchObject({ kind: 'snapshot', version: 0, state: { cart: [], watch: [] } });
      expect(payload.epoch).not.toBe(epoch);
      // The lost store forgot the device's connection too: it must connect again before writing.
      const again = await connect(after, user, 'phone');
      const result = await again.sendAt(1, 'cart:add', { sku: 'b', title: 'B', priceCents: 1, qty: 1 });
      expect(result).toMatchObject({ epoch: payload.epoch, version: 1, duplicate: false });
      expect((await snapshotOf(after, user)).state.cart.map((l) => l.sku)).toEqual(['b']);
    });
  });
}
