import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWatchThrottle, type WatchReport } from '../../src/watch/watch-throttle.ts';
import { systemTimers } from '../../src/util/timers.ts';

const report = (videoId: string, positionSec: number, kind: 'progress' | 'seek' = 'progress'): WatchReport => ({
  videoId,
  positionSec,
  durationSec: 600,
  at: Date.now(),
  kind,
});

function throttle() {
  const sent: WatchReport[] = [];
  const t = createWatchThrottle<number>({
    intervalMs: 5000,
    timers: systemTimers(),
    send: async (r) => (sent.push(r), sent.length),
    onDraftsChanged: () => {},
  });
  return { t, sent };
}

describe('watch report throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at most one progress report per video per interval, and the latest at the end of it', async () => {
    const { t, sent } = throttle();
    void t.report(report('v', 1), 'progress');
    for (let s = 2; s <= 9; s++) {
      vi.advanceTimersByTime(1000);
      void t.report(report('v', s), 'progress');
    }
    expect(sent.map((r) => r.positionSec)).toEqual([1, 5]);
    expect(t.drafts().map((r) => r.positionSec)).toEqual([9]);
    vi.advanceTimersByTime(1999);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent.map((r) => r.positionSec)).toEqual([1, 5, 9]);
    expect(t.drafts()).toEqual([]);
  });

  it('throttles each video on its own', () => {
    const { t, sent } = throttle();
    void t.report(report('a', 1), 'progress');
    void t.report(report('b', 1), 'progress');
    void t.report(report('a', 2), 'progress');
    expect(sent.map((r) => r.videoId)).toEqual(['a', 'b']);
  });

  it('sends pause, seek and close at once, replacing a held-back progress report', async () => {
    const { t, sent } = throttle();
    void t.report(report('v', 1), 'progress');
    const held = t.report(report('v', 2), 'progress');
    const paused = t.report(report('v', 3), 'pause');
    expect(sent.map((r) => r.positionSec)).toEqual([1, 3]);
    expect(await held).toBe(await paused);
    void t.report(report('v', 0, 'seek'), 'seek');
    void t.report(report('v', 0), 'close');
    expect(sent.map((r) => [r.positionSec, r.kind])).toEqual([
      [1, 'progress'],
      [3, 'progress'],
      [0, 'seek'],
      [0, 'progress'],
    ]);
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(4);
  });

  it('keeps the event time of the report, not the time it is sent', () => {
    const { t, sent } = throttle();
    void t.report(report('v', 1), 'progress');
    vi.advanceTimersByTime(1000);
    const at = Date.now();
    void t.report(report('v', 2), 'progress');
    vi.advanceTimersByTime(4000);
    expect(sent[1]?.at).toBe(at);
  });

  it('flushes held-back reports on demand', () => {
    const { t, sent } = throttle();
    void t.report(report('v', 1), 'progress');
    void t.report(report('v', 2), 'progress');
    t.flushAll();
    expect(sent.map((r) => r.positionSec)).toEqual([1, 2]);
  });

  it('forgets a held-back report of a removed video, settling its waiters with the removal', async () => {
    const { t, sent } = throttle();
    void t.report(report('v', 1), 'progress');
    const held = t.report(report('v', 2), 'progress');
    t.supersede('v', Promise.resolve(42));
    expect(t.drafts()).toEqual([]);
    await expect(held).resolves.toBe(42);
    vi.advanceTimersByTime(10_000);
    expect(sent.map((r) => r.positionSec)).toEqual([1]);
    void t.report(report('w', 1), 'progress');
    const refused = t.report(report('w', 2), 'progress');
    const failing = Promise.reject(new Error('offline'));
    t.supersede('w', failing);
    await expect(refused).rejects.toThrow('offline');
    await expect(failing).rejects.toThrow('offline');
  });
});
