import type { SyncStorage } from './types.js';

interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Browser storage (`window.localStorage` by default). A quota error rejects the write; the SDK reports it. */
export function localStorageAdapter(target?: WebStorage): SyncStorage {
  const resolve = (): WebStorage => {
    const storage = target ?? (globalThis as { localStorage?: WebStorage }).localStorage;
    if (!storage) throw new Error('localStorage is not available here: pass a storage to localStorageAdapter()');
    return storage;
  };
  return {
    getItem: (key) => resolve().getItem(key),
    setItem: (key, value) => resolve().setItem(key, value),
    removeItem: (key) => resolve().removeItem(key),
  };
}
