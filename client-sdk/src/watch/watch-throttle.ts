import type { WatchReportRequest } from '../protocol/index.js';
import { createTimerSlot, type TimerSlot, type Timers } from '../util/timers.js';

/** Why the app reports: `progress` while playing is throttled; the others are sent at once. */
export type WatchEvent = 'progress' | 'pause' | 'seek' | 'close';

export type WatchReport = Omit<WatchReportRequest, 'seq'>;

export interface WatchThrottleDeps<R> {
  /** At most one `progress` send per video per interval. @default 5000 */
  intervalMs: number;
  timers: Timers;
  send(report: WatchReport): Promise<R>;
  /** The set of held-back reports changed (they are shown locally before they are sent). */
  onDraftsChanged(): void;
}

export interface WatchThrottle<R> {
  /** Resolves with the result of the send that carried this report or a newer one of the same video. */
  report(report: WatchReport, event: WatchEvent): Promise<R>;
  /** Held-back reports, oldest first. */
  drafts(): readonly WatchReport[];
  /** Sends every held-back report now (on close or going to background). */
  flushAll(): void;
  /** Forgets every held-back report, rejecting its waiters (sign-out). */
  discard(error: unknown): void;
  /**
   * Forgets the held-back report of a video the app removed (sent later it would bring the video back); its
   * waiters settle with `removal`, the newer send of that video.
   */
  supersede(videoId: string, removal: Promise<R>): void;
}

interface Waiter<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface VideoSlot<R> {
  lastSentAt: number | null;
  draft: { report: WatchReport; waiters: Array<Waiter<R>> } | null;
  timer: TimerSlot;
}

/** Leading-and-trailing throttle per video, so the last position while playing is never lost. */
export function createWatchThrottle<R>(deps: WatchThrottleDeps<R>): WatchThrottle<R> {
  const videos = new Map<string, VideoSlot<R>>();
  let drafts: readonly WatchReport[] = [];

  const refreshDrafts = () => {
    drafts = [...videos.values()].flatMap((v) => (v.draft ? [v.draft.report] : []));
    deps.onDraftsChanged();
  };

  const slotOf = (videoId: string): VideoSlot<R> => {
    let slot = videos.get(videoId);
    if (!slot) {
      slot = { lastSentAt: null, draft: null, timer: createTimerSlot(deps.timers) };
      videos.set(videoId, slot);
    }
    return slot;
  };

  const sendNow = (videoId: string, slot: VideoSlot<R>, report: WatchReport, waiters: Array<Waiter<R>>): Promise<R> => {
    slot.lastSentAt = deps.timers.now();
    slot.timer.clear();
    const hadDraft = slot.draft !== null;
    slot.draft = null;
    const sent = deps.send(report);
    sent.then(
      (value) => waiters.forEach((w) => w.resolve(value)),
      (error: unknown) => waiters.forEach((w) => w.reject(error)),
    );
    // Forget the video once its window is over, so the map only holds videos played recently.
    slot.timer.set(() => {
      if (!slot.draft && videos.get(videoId) === slot) videos.delete(videoId);
    }, deps.intervalMs);
    if (hadDraft) refreshDrafts();
    return sent;
  };

  const sendDraft = (videoId: string, slot: VideoSlot<R>) => {
    const draft = slot.draft;
    if (draft) void sendNow(videoId, slot, draft.report, draft.waiters).catch(() => {});
  };

  return {
    report(report, event) {
      const slot = slotOf(report.videoId);
      const now = deps.timers.now();
      if (event !== 'progress') return sendNow(report.videoId, slot, report, slot.draft?.waiters ?? []);
      const windowOpen = slot.lastSentAt === null || now - slot.lastSentAt >= deps.intervalMs;
      if (!slot.draft && windowOpen) return sendNow(report.videoId, slot, report, []);
      return new Promise<R>((resolve, reject) => {
        const waiters = slot.draft?.waiters ?? [];
        waiters.push({ resolve, reject });
        slot.draft = { report, waiters };
        const dueIn = slot.lastSentAt === null ? 0 : slot.lastSentAt + deps.intervalMs - now;
        slot.timer.set(() => sendDraft(report.videoId, slot), dueIn);
        refreshDrafts();
      });
    },
    drafts: () => drafts,
    flushAll() {
      for (const [videoId, slot] of [...videos]) sendDraft(videoId, slot);
    },
    supersede(videoId, removal) {
      const slot = videos.get(videoId);
      const draft = slot?.draft;
      if (!slot || !draft) return;
      slot.draft = null;
      slot.timer.clear();
      videos.delete(videoId);
      removal.then(
        (value) => draft.waiters.forEach((w) => w.resolve(value)),
        (error: unknown) => draft.waiters.forEach((w) => w.reject(error)),
      );
      refreshDrafts();
    },
    discard(error) {
      for (const slot of videos.values()) {
        slot.timer.clear();
        slot.draft?.waiters.forEach((w) => w.reject(error));
      }
      videos.clear();
      refreshDrafts();
    },
  };
}
