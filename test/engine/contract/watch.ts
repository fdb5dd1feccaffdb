import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_RULES, LIMITS, type WatchReportRequest, type WatchRules } from '../../../client-sdk/src/protocol/index.ts';
import { continueWatching, resumePoint, roundSeconds } from '../../../client-sdk/src/rules/index.ts';
import { connect, engines, expectCode, ROOMY, snapshotOf, uniqueUser, versionOf, type ContractTarget, clockPast } from './harness.ts';

type Report = Omit<WatchReportRequest, 'seq'>;

export function watchContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);
  // Event times well in the past, so the server's clamp to "now" never interferes.
  const base = () => Date.now() - 3_600_000;
  // A film long enough for resume points under the default rules (300 s); positions are in its middle.
  const report = (over: Partial<Report> & { at: number }): Report => ({
    videoId: 'video-1',
    positionSec: 1000,
    durationSec: 6000,
    kind: 'progress',
    ...over,
  });

  describe('watch progress', () => {
    it('creates an entry from a first report, and marks it watched past 90%', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const laptop = await connect(engine, user, 'laptop');
      const t = base();
      const first = await laptop.send('watch:report', report({ at: t, positionSec: 5400 }));
      expect(first.change?.op).toEqual({
        type: 'watch',
        entry: { videoId: 'video-1', positionSec: 5400, durationSec: 6000, updatedAt: t, deviceId: 'laptop', completed: false },
        trimmed: [],
      });
      const done = await laptop.send('watch:report', report({ at: t + 1, positionSec: 5400.001 }));
      expect(done.change?.op).toMatchObject({ entry: { positionSec: 0, completed: true } });
    });

    it('lets the later event win, whichever device sends it and in whatever order they arrive', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const laptop = await connect(engine, user, 'laptop');
      const t = base();
      await laptop.send('watch:report', report({ at: t + 2000, positionSec: 500 }));
      const stale = await phone.send('watch:report', report({ at: t + 1000, positionSec: 800 }));
      expect(stale.change?.op).toEqual({ type: 'noop' });
      const same = await phone.send('watch:report', report({ at: t + 2000, positionSec: 900 }));
      expect(same.change?.op).toEqual({ type: 'noop' });
      const later = await phone.send('watch:report', report({ at: t + 3000, positionSec: 600 }));
      expect(later.change?.op).toMatchObject({ entry: { positionSec: 600, deviceId: 'phone', updatedAt: t + 3000 } });
      expect(await versionOf(engine, user)).toBe(4);
    });

    it('never moves progress backwards, but lets a later seek do so', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      await phone.send('watch:report', report({ at: t, positionSec: 500 }));
      expect((await phone.send('watch:report', report({ at: t + 10, positionSec: 400 }))).change?.op).toEqual({ type: 'noop' });
      expect((await phone.send('watch:report', report({ at: t + 20, positionSec: 500 }))).change?.op).toMatchObject({ entry: { positionSec: 500, updatedAt: t + 20 } });
      const seek = await phone.send('watch:report', report({ at: t + 30, positionSec: 350, kind: 'seek' }));
      expect(seek.change?.op).toMatchObject({ entry: { positionSec: 350, updatedAt: t + 30, completed: false } });
      const staleSeek = await phone.send('watch:report', report({ at: t + 25, positionSec: 400, kind: 'seek' }));
      expect(staleSeek.change?.op).toEqual({ type: 'noop' });
      expect((await snapshotOf(engine, user)).state.watch[0]).toMatchObject({ positionSec: 350 });
    });

    it('clamps event times from the future to the server clock', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const before = Date.now();
      const future = await phone.send('watch:report', report({ at: before + 86_400_000, positionSec: 3000 }));
      const after = Date.now();
      const updatedAt = future.change?.op.type === 'watch' ? future.change.op.entry.updatedAt : -1;
      expect(updatedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(updatedAt).toBeLessThanOrEqual(after + 1000);
      // A report from the future must not freeze the entry: a real later report still wins.
      await clockPast(updatedAt + 5);
      const next = await phone.send('watch:report', report({ at: Date.now(), positionSec: 3001 }));
      expect(next.change?.op).toMatchObject({ entry: { positionSec: 3001 } });
    });

    it('keeps positions to the millisecond', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const result = await phone.send('watch:report', report({ at: base(), positionSec: 123_456.7891, durationSec: 604_799.9999 }));
      expect(result.change?.op).toMatchObject({ entry: { positionSec: 123_456.789, durationSec: 604_800 } });
    });

    it('refuses malformed reports with bad_request, changing nothing', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      const bad: Report[] = [
        report({ at: t, videoId: 'v'.repeat(LIMITS.videoIdLength + 1) }),
        report({ at: t, videoId: 'bad id' }),
        report({ at: t, positionSec: 6001 }),
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
      const update = await tv.send('watch:report', report({ videoId: 'v-5', at: t + 20_000, positionSec: 2000 }));
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
      await phone.send('watch:report', report({ videoId: 'done', at: t + 3, positionSec: 5999 }));
      await phone.send('watch:report', report({ videoId: 'just-started', at: t + 4, positionSec: 10 }));
      await phone.send('watch:report', report({ videoId: 'c', at: t + 2 }));
      const watch = (await snapshotOf(engine, user)).state.watch;
      expect(watch.map((e) => e.videoId)).toEqual(['just-started', 'done', 'c', 'b', 'a']);
      expect(continueWatching(watch).map((e) => e.videoId)).toEqual(['c', 'b', 'a']);
    });
  });

  describe('resume rules', () => {
    // Each case: a report on a video that had no entry, or one left watched (`after: 'watched'`).
    type Case = { positionSec: number; durationSec: number; after?: 'watched' };
    const edges = (rules: WatchRules): Case[] => {
      const long = Math.max(rules.minDurationSec, 1) * 20;
      const pct = (p: number) => (p / 100) * long;
      const list: Case[] = [
        { positionSec: 0, durationSec: long },
        { positionSec: pct(rules.minResumePct) - 0.001, durationSec: long },
        { positionSec: pct(rules.minResumePct), durationSec: long },
        { positionSec: pct(rules.minResumePct) + 0.001, durationSec: long },
        { positionSec: pct(50), durationSec: long },
        { positionSec: pct(rules.maxResumePct), durationSec: long },
        { positionSec: pct(rules.maxResumePct) + 0.001, durationSec: long },
        { positionSec: long - rules.creditsSec - 0.001, durationSec: long },
        { positionSec: long - rules.creditsSec, durationSec: long },
        { positionSec: long, durationSec: long },
        { positionSec: (rules.minDurationSec - 0.001) / 2, durationSec: rules.minDurationSec - 0.001 },
        { positionSec: rules.minDurationSec - 0.001, durationSec: rules.minDurationSec - 0.001 },
        { positionSec: rules.minDurationSec / 2, durationSec: rules.minDurationSec },
        { positionSec: 0, durationSec: long, after: 'watched' },
        { positionSec: pct(rules.minResumePct) - 0.001, durationSec: long, after: 'watched' },
        { positionSec: pct(50), durationSec: long, after: 'watched' },
        { positionSec: (rules.minDurationSec - 0.001) / 2, durationSec: rules.minDurationSec - 0.001, after: 'watched' },
      ];
      return list.filter((c) => c.positionSec >= 0 && c.durationSec > 0 && c.positionSec <= c.durationSec);
    };
    const CUSTOM: WatchRules = { minResumePct: 12.5, maxResumePct: 75, minDurationSec: 61, creditsSec: 120 };

    it.each([
      ['the default rules', DEFAULT_WATCH_RULES],
      ['configured rules', CUSTOM],
    ])('stores what resumePoint in client-sdk/src/rules says, with %s', async (_name, rules) => {
      const engine = await use.one({ ...ROOMY, watchRules: rules });
      const user = uniqueUser();
      const tv = await connect(engine, user, 'tv');
      const t = base();
      const cases = edges(rules);
      for (const [i, c] of cases.entries()) {
        const videoId = `v-${i}`;
        const at = t + 10 * i;
        if (c.after === 'watched') await tv.send('watch:report', report({ videoId, at, positionSec: c.durationSec, durationSec: c.durationSec }));
        // A seek, so that a position below the stored one is taken too.
        const result = await tv.send('watch:report', report({ videoId, at: at + 1, positionSec: c.positionSec, durationSec: c.durationSec, kind: 'seek' }));
        const want = resumePoint(roundSeconds(c.positionSec), roundSeconds(c.durationSec), c.after === 'watched', rules);
        expect({ case: c, entry: result.change?.op.type === 'watch' ? result.change.op.entry : null }).toMatchObject({ case: c, entry: want });
      }
      const cw = continueWatching((await snapshotOf(engine, user)).state.watch).map((e) => e.videoId);
      const resumable = cases.flatMap((c, i) => {
        const r = resumePoint(roundSeconds(c.positionSec), roundSeconds(c.durationSec), c.after === 'watched', rules);
        return !r.completed && r.positionSec > 0 ? [`v-${i}`] : [];
      });
      expect([...cw].sort()).toEqual([...resumable].sort());
    });

    it('takes the rules of the engine that commits: the defaults leave a 4-minute clip without a resume point', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const t = base();
      const clip = await phone.send('watch:report', report({ videoId: 'clip', at: t, positionSec: 120, durationSec: 240 }));
      expect(clip.change?.op).toMatchObject({ entry: { positionSec: 0, completed: false } });
      const film = await phone.send('watch:report', report({ videoId: 'film', at: t + 1, positionSec: 5990, durationSec: 6000 }));
      expect(film.change?.op).toMatchObject({ entry: { positionSec: 0, completed: true } });
      const restarted = await phone.send('watch:report', report({ videoId: 'film', at: t + 2, positionSec: 60, durationSec: 6000, kind: 'seek' }));
      expect(restarted.change?.op).toMatchObject({ entry: { positionSec: 0, completed: true } });
      const rewatched = await phone.send('watch:report', report({ videoId: 'film', at: t + 3, positionSec: 1200, durationSec: 6000 }));
      expect(rewatched.change?.op).toMatchObject({ entry: { positionSec: 1200, completed: false } });
      expect(continueWatching((await snapshotOf(engine, user)).state.watch).map((e) => e.videoId)).toEqual(['film']);
    });
  });
}
