import { createHistogram, type HistogramData } from '../harness/histogram.ts';
import type { DeliveryTracker } from './tracker.ts';
import { pause as sleep } from '../../test/support/timing.ts';

/** One user's stream of changes: who sends them and how many devices must receive each. */
export interface Flow {
  send(measured: boolean): void;
}

export interface PacedOptions {
  /** Offered changes per second, over all flows, sent round-robin so each user sends at rate / users. */
  rate: number;
  durationMs: number;
  /** Changes sent in the first `warmupMs` are delivered and checked for loss, but not measured. */
  warmupMs: number;
  /** After the last send, how long to wait for what is still in flight before calling it lost. */
  drainMs: number;
}

export interface PacedResult {
  rate: number;
  sent: number;
  delivered: number;
  lost: number;
  duplicates: number;
  failed: Record<string, number>;
  latency: HistogramData;
  ack: HistogramData;
  /** How late the generator sent, vs its schedule: its own health (ms). */
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  /** Sends per second the generator actually achieved. */
  achievedRate: number;
  drainedMs: number;
}


/**
 * Open-loop load: change k is due at start + k / rate whatever happened to earlier ones (no waiting on
 * answers, so a slow system cannot slow the offered load). A 1 ms timer sends everything due.
 */
export async function runPaced(flows: readonly Flow[], tracker: DeliveryTracker, options: PacedOptions): Promise<PacedResult> {
  if (flows.length === 0) throw new Error('no flows to send on');
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const intervalMs = 1000 / options.rate;
  const lag = createHistogram();
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) {
        const dueAt = start + sent * intervalMs;
        lag.record(Math.round((now - dueAt) * 1000));
        flows[sent % flows.length]?.send(dueAt - start >= options.warmupMs);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const sendWindowMs = performance.now() - start;
  const drainStart = performance.now();
  while (tracker.outstanding() > 0 && performance.now() - drainStart < options.drainMs) await sleep(5);
  const drainedMs = performance.now() - drainStart;
  const outcome = tracker.result();
  return {
    rate: options.rate,
    sent,
    delivered: outcome.delivered,
    lost: outcome.lost,
    duplicates: outcome.duplicates,
    failed: outcome.failed,
    latency: outcome.latency.data(),
    ack: outcome.ack.data(),
    sendLagP99Ms: (lag.percentile(99) ?? 0) / 1000,
    sendLagMaxMs: lag.data().maxUs / 1000,
    achievedRate: sent > 1 ? ((sent - 1) / Math.max(1, sendWindowMs)) * 1000 : 0,
    drainedMs,
  };
}
