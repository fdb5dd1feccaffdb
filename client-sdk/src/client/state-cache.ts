import { Epoch, Snapshot, Version } from '../protocol/index.js';
import * as s from '../protocol/schema/index.js';
import { snapshotOf, stateFromSnapshot, type ServerState } from '../state/server-state.js';
import type { KeyValueStore } from '../storage/types.js';
import { createTimerSlot, type Timers } from '../util/timers.js';

const CacheRecord = s.object({
  v: s.literal(1),
  owner: s.nullable(s.string()),
  epoch: Epoch,
  version: Version,
  state: Snapshot,
});

export interface StateCache {
  load(): Promise<{ state: ServerState; owner: string | null } | null>;
  /** Saves soon; writes coalesce, so a burst of changes costs one write. */
  save(state: ServerState, owner: string | null): void;
  clear(): Promise<void>;
  flush(): Promise<void>;
}

/**
 * Least time between two writes of the cache. Each write is the whole state as JSON; the cache only saves a
 * restarted app a round trip (it syncs from the cached version anyway), so a burst of changes costs one write
 * now and one at the end, not one per change. Pending mutations are the outbox's, written at once.
 */
const CACHE_WRITE_INTERVAL_MS = 1000;

/** The last synced server state, kept in storage so a restarted app shows it at once and syncs from its version. */
export function createStateCache(store: KeyValueStore, key: () => string, onError: (error: unknown) => void, timers: Timers): StateCache {
  let latest: { state: ServerState; owner: string | null } | null = null;
  let writing: Promise<void> | null = null;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  const later = createTimerSlot(timers);

  const drain = async () => {
    while (latest) {
      const { state, owner } = latest;
      latest = null;
      if (state.epoch === null) continue;
      lastWriteAt = timers.now();
      const record = { v: 1, owner, epoch: state.epoch, version: state.version, state: snapshotOf(state) };
      await store.set(key(), JSON.stringify(record)).catch(onError);
    }
  };
  const write = () => {
    later.clear();
    if (writing) return;
    // Cleared in a promise reaction, so after the assignment even when drain() finished without waiting
    // (nothing to write): clearing it inside drain left a settled promise behind and flush() spun on it.
    writing = drain().finally(() => {
      writing = null;
    });
  };

  return {
    async load() {
      try {
        const raw = await store.get(key());
        if (raw === null) return null;
        const parsed = CacheRecord.safeParse(JSON.parse(raw));
        if (!parsed.success) return null;
        const { epoch, version, state, owner } = parsed.data;
        return { state: stateFromSnapshot(epoch, version, state), owner };
      } catch (error) {
        onError(error);
        return null;
      }
    },
    save(state, owner) {
      latest = { state, owner };
      if (later.armed) return;
      const wait = lastWriteAt + CACHE_WRITE_INTERVAL_MS - timers.now();
      // Let a burst of synchronous updates settle into one write.
      if (wait <= 0) queueMicrotask(write);
      else later.set(write, wait);
    },
    async clear() {
      latest = null;
      later.clear();
      while (writing) await writing;
      await store.remove(key()).catch(onError);
    },
    async flush() {
      while (writing || latest) {
        write();
        await writing;
      }
    },
  };
}
