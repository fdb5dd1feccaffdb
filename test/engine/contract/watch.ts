import { describe, expect, it } from 'vitest';
import { LIMITS, type WatchReportRequest } from '../../../client-sdk/src/protocol/index.ts';
import { continueWatching } from '../../../client-sdk/src/rules/index.ts';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget, clockPast } from './harness.ts';

type Report = Omit<WatchReportRequest, 'seq'>;

export function watchContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);
  // Event times well in the past, so the server's clamp to "now" never interferes.
  const base = () => Date.now() - 3_600_000;
  const report = (over: Partial<Report> & { at: number }): Report => ({
    videoId: 'video-1',
    positionSec: 10,
    durationSec: 100,
    kind: 'progress',
    ...over,
  });

  describe('watch progress', () => {
    it('creates an entry from a first report, and marks it completed at 95%', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const laptop = await connect(engine, user, 'laptop');
      const t = base();
      const first = await laptop.send('watch:report', report({ at: t, positionSec: 94.999 }));
      expect(first.change?.op).toEqual({
        type: 'watch',
        entry: { videoId: 'video-1', positionSec: 94.999, durationSec: 100, updatedAt: t, deviceId: 'laptop', completed: false },
        trimmed: [],
      });
      const done = await laptop.send('watch:report', report({ at: t + 1, positionSec: 95 }));
      expect(done.change?.op).toMatchObject({ entry: { completed: true } });
    });

    it('lets the later event win, whichever device sends it and in whatever order they arrive', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const laptop = await connect(engine, user, 'laptop');
      const t = base();
      await laptop.send('watch:report', report({ at: t + 2000, positionSec: 50 }));
      const stale = await phone.send('watch:report', report({ at: t + 1000, positionSec: 80 }));
      expect(stale.change?.op).toEqual({ type: 'noop' });
      const same = await phone.send('watch:report', report({ at: t + 2000, positionSec: 90 }));
      expect(same.change?.op).toEqual({ type: 'noop' });
      const later = await phone.send('watch:report', report({ at: t + 3000, positionSec: 60 }));
      expect(later.change?.op).toMatchObject({ entry: { positionSec: 60, deviceId: 'phone', updatedAt: t + 3000 } });
      expect(await versionOf(engine, user)).toBe(4);
    });

    it('never moves progress backwards, but lets a later seek do so', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      await phone.send('watch:report', report({ at: t, positionSec: 50 }));
      expect((await phone.send('watch:report', report({ at: t + 10, positionSec: 40 }))).change?.op).toEqual({ type: 'noop' });
      expect((await phone.send('watch:report', report({ at: t + 20, positionSec: 50 }))).change?.op).toMatchObject({ entry: { positionSec: 50, updatedAt: t + 20 } });
      const seek = await phone.send('watch:report', report({ at: t + 30, positionSec: 5, kind: 'seek' }));
      expect(seek.change?.op).toMatchObject({ entry: { positionSec: 5, updatedAt: t + 30, completed: false } });
      const staleSeek = await phone.send('watch:report', report({ at: t + 25, positionSec: 1, kind: 'seek' }));
      expect(staleSeek.change?.op).toEqual({ type: 'noop' });
      expect((await snapshotOf(engine, user)).state.watch[0]).toMatchObject({ positionSec: 5 });
    });

    it('clamps event times from the future to the server clock', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const before = Date.now();
      const future = await phone.send('watch:report', report({ at: before + 86_400_000, positionSec: 30 }));
      const after = Date.now();
      const updatedAt = future.change?.op.type === 'watch' ? future.change.op.entry.updatedAt : -1;
      expect(updatedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(updatedAt).toBeLessThanOrEqual(after + 1000);
      // A report from the future must not freeze the entry: a real later report still wins.
      await clockPast(updatedAt + 5);
      const next = await phone.send('watch:report', report({ at: Date.now(), positionSec: 31 }));
      expect(next.change?.op).toMatchObject({ entry: { positionSec: 31 } });
    });

    it('keeps positions to the millisecond', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const result = await phone.send('watch:report', report({ at: base(), positionSec: 12.3456789, durationSec: 604_799.9999 }));
      expect(result.change?.op).toMatchObject({ entry: { positionSec: 12.346, durationSec: 604_800 } });
    });

    it('refuses malformed reports with bad_request, changing nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      const bad: Report[] = [
        report({ at: t, videoId: 'v'.repeat(LIMITS.videoIdLength + 1) }),
        report({ at: t, videoId: 'bad id' }),
        report({ at: t, positionSec: 101 }),
        report({ at: t, positionSec: -1 }),
        report({ at: t, durationSec: 0 }),
        report({ at: t, durationSec: LIMITS.durationSecMax + 1 }),
        report({ at: -1 }),
        report({ at: t, kind: 'rewind' as Report['kind'] }),
      ];
      for (const r of bad) await expectCode(phone.sendAt(1, 'watch:report', r), 'bad_request');
      expect(await versionOf(engine, user)).toBe(0);
    });

    it(`keeps at most ${LIMITS.watchEntries} entries, trimming the oldest and naming them in the change`, async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const tv = await connect(engine, user, 'tv', { kind: 'tv' });
      const t = base();
      // Entry i is watched at t + 10 * i, so entry 0 is the oldest.
      for (let i = 0; i < LIMITS.watchEntries; i += 1) await tv.send('watch:report', report({ videoId: `v-${i}`, at: t + 10 * i }));
      const next = await tv.send('watch:report', report({ videoId: 'v-new', at: t + 10 * LIMITS.watchEntries }));
      expect(next.change?.op).toMatchObject({ type: 'watch', trimmed: ['v-0'] });
      // Updating an existing entry at the cap trims nothing.
      const update = await tv.send('watch:report', report({ videoId: 'v-5', at: t + 20_000, positionSec: 20 }));
      expect(update.change?.op).toMatchObject({ trimmed: [] });
      // A new entry older than every other is kept; the oldest other one goes.
      const old = await tv.send('watch:report', report({ videoId: 'v-ancient', at: t - 100 }));
      expect(old.change?.op).toMatchObject({ entry: { videoId: 'v-ancient' }, trimmed: ['v-1'] });
      const watch = (await snapshotOf(engine, user)).state.watch;
      expect(watch).toHaveLength(LIMITS.watchEntries);
      const ids = new Set(watch.map((e) => e.videoId));
      expect(ids.has('v-0') || ids.has('v-1')).toBe(false);
      expect(ids.has('v-new') && ids.has('v-ancient') && ids.has('v-5')).toBe(true);
    });

    it('lists the snapshot newest first, ties by video id (the continue-watching order)', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      await phone.send('watch:report', report({ videoId: 'b', at: t + 1 }));
      await phone.send('watch:report', report({ videoId: 'a', at: t + 1 }));
      await phone.send('watch:report', report({ videoId: 'done', at: t + 3, positionSec: 99 }));
      await phone.send('watch:report', report({ videoId: 'c', at: t + 2 }));
      const watch = (await snapshotOf(engine, user)).state.watch;
      expect(watch.map((e) => e.videoId)).toEqual(['done', 'c', 'b', 'a']);
      expect(continueWatching(watch).map((e) => e.videoId)).toEqual(['c', 'b', 'a']);
    });
  });
}
