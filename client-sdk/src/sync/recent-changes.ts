import type { Change } from '../protocol/index.js';

/**
 * The last changes applied in the current epoch, by version. They tell a change the client already has from
 * another one at the same version (the server's history went back and moved on), and which changes a store
 * that went back in time lost.
 */
export interface RecentChanges {
  add(change: Change): void;
  /** Whether `change` contradicts what was applied at its version (another device or seq). */
  contradicts(change: Change): boolean;
  /** The remembered changes with versions in `from..to`, in order. */
  between(from: number, to: number): Change[];
  clear(): void;
}

/** @param capacity how many versions to remember */
export function createRecentChanges(capacity = 256): RecentChanges {
  const byVersion = new Map<number, Change>();
  return {
    add(change) {
      byVersion.set(change.version, change);
      // Versions are applied in order, so the first key is the oldest.
      if (byVersion.size > capacity) {
        const oldest = byVersion.keys().next();
        if (!oldest.done) byVersion.delete(oldest.value);
      }
    },
    contradicts(change) {
      const known = byVersion.get(change.version);
      return known !== undefined && (known.deviceId !== change.deviceId || known.seq !== change.seq || known.epoch !== change.epoch);
    },
    between(from, to) {
      return [...byVersion.values()].filter((c) => c.version >= from && c.version <= to).sort((a, b) => a.version - b.version);
    },
    clear() {
      byVersion.clear();
    },
  };
}
