import { createHistogram, type Histogram } from '../harness/histogram.ts';

interface Entry {
  sentAt: number;
  remaining: number;
  measured: boolean;
  seen?: Set<string>;
}

/**
 * Follows every change from its send to its arrival at the last device expected to get it: latency to the
 * last device goes into the histogram (for changes sent after the warm-up), whatever never arrives is lost.
 */
export interface DeliveryTracker {
  expect(from: string, seq: number, receivers: number, measured: boolean, sentAt: number): void;
  received(to: string, from: string, seq: number): void;
  acked(from: string, seq: number): void;
  failed(from: string, seq: number, code: string): void;
  outstanding(): number;
  result(): {
    latency: Histogram;
    ack: Histogram;
    delivered: number;
    lost: number;
    duplicates: number;
    failed: Record<string, number>;
  };
}

export function createDeliveryTracker(cumulative: boolean, acks: boolean): DeliveryTracker {
  const pending = new Map<string, Map<number, Entry>>();
  const ackPending = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  const latency = createHistogram();
  const ack = createHistogram();
  const failed: Record<string, number> = {};
  let outstanding = 0;
  let delivered = 0;
  let duplicates = 0;

  const deliver = (entries: Map<number, Entry>, seq: number, entry: Entry, to: string, now: number) => {
    if (entry.seen) {
      if (entry.seen.has(to)) {
        duplicates++;
        return;
      }
      entry.seen.add(to);
    }
    entry.remaining--;
    if (entry.remaining > 0) return;
    entries.delete(seq);
    outstanding--;
    delivered++;
    if (entry.measured) latency.record(Math.round((now - entry.sentAt) * 1000));
  };

  return {
    expect(from, seq, receivers, measured, sentAt) {
      let entries = pending.get(from);
      if (!entries) {
        entries = new Map();
        pending.set(from, entries);
      }
      entries.set(seq, { sentAt, remaining: receivers, measured, ...(receivers > 1 ? { seen: new Set<string>() } : {}) });
      if (acks) ackPending.set(`${from}\n${seq}`, sentAt);
      outstanding++;
    },
    received(to, from, seq) {
      const now = performance.now();
      const entries = pending.get(from);
      if (!entries) {
        duplicates++;
        return;
      }
      if (!cumulative) {
        const entry = entries.get(seq);
        if (entry) deliver(entries, seq, entry, to, now);
        else duplicates++;
        return;
      }
      const key = `${to}\n${from}`;
      const seenUpTo = lastSeen.get(key) ?? 0;
      if (seq <= seenUpTo) return;
      lastSeen.set(key, seq);
      // Map order is insertion order, which is increasing seq per sender.
      for (const [s, entry] of entries) {
        if (s > seq) break;
        if (s > seenUpTo) deliver(entries, s, entry, to, now);
      }
    },
    acked(from, seq) {
      const key = `${from}\n${seq}`;
      const sentAt = ackPending.get(key);
      if (sentAt === undefined) return;
      ackPending.delete(key);
      ack.record(Math.round((performance.now() - sentAt) * 1000));
    },
    failed(from, seq, code) {
      ackPending.delete(`${from}\n${seq}`);
      // Only changes of this run count: a late answer to an earlier run's change is ignored.
      if (!pending.get(from)?.delete(seq)) return;
      outstanding--;
      failed[code] = (failed[code] ?? 0) + 1;
    },
    outstanding: () => outstanding,
    result: () => ({ latency, ack, delivered, lost: outstanding, duplicates, failed }),
  };
}
