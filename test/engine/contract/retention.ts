import { describe, expect, it, vi } from 'vitest';
import { connect, engines, snapshotOf, uniqueUser, type ContractTarget } from './harness.ts';

export function retentionContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('retention', () => {
    it("forgets a user after the retention without a write or a connect", async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone', { retentionMs: 600 });
      await phone.add('tea');
      expect(await engine.listDevices(user)).toHaveLength(1);
      // listDevices only reads: waiting on it does not keep the user alive.
      await vi.waitFor(async () => expect(await engine.listDevices(user)).toEqual([]), { timeout: 10_000, interval: 100 });
      const snapshot = await snapshotOf(engine, user);
      expect(snapshot.state.cart).toEqual([]);
      expect(snapshot.version).toBe(0);
    });

    it('keeps a user alive for as long as it keeps writing, then forgets it', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const retentionMs = 1500;
      const phone = await connect(engine, user, 'phone', { retentionMs });
      await phone.add('tea');
      const started = Date.now();
      let writes = 1;
      // Writes for twice the retention: each one keeps every key of the user another retentionMs.
      await vi.waitFor(
        async () => {
          await phone.send('watch:report', { videoId: 'film', positionSec: writes, durationSec: 10_000, at: Date.now() - 5000 + writes, kind: 'progress' });
          writes += 1;
          expect(Date.now() - started).toBeGreaterThan(2 * retentionMs);
        },
        { timeout: 20_000, interval: 100 },
      );
      const alive = await snapshotOf(engine, user);
      expect(alive.state.cart.map((l) => l.sku)).toEqual(['tea']);
      expect(alive.state.watch).toHaveLength(1);
      await vi.waitFor(async () => expect(await engine.listDevices(user)).toEqual([]), { timeout: 10_000, interval: 100 });
      expect((await snapshotOf(engine, user)).state.cart).toEqual([]);
    });

    it('keeps everything without a retention', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('tea');
      expect((await snapshotOf(engine, user)).state.cart).toHaveLength(1);
      expect(await engine.listDevices(user)).toHaveLength(1);
    });
  });
}
