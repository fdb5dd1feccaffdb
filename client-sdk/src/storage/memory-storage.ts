import type { SyncStorage } from './types.js';

/** In-memory storage (the default): survives reconnects, not app restarts. Share one between clients to model a restart. */
export function memoryStorage(initial?: Iterable<readonly [string, string]>): SyncStorage & { readonly size: number } {
  const data = new Map<string, string>(initial);
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      data.set(key, value);
    },
    removeItem: (key) => {
      data.delete(key);
    },
    get size() {
      return data.size;
    },
  };
}
