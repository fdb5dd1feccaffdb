import type { SyncStorage } from './types.js';

/** The part of React Native's AsyncStorage (or any promise-based store) the SDK uses. */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null | undefined>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** Adapts `@react-native-async-storage/async-storage` (or anything with its shape). */
export function asyncStorageAdapter(asyncStorage: AsyncStorageLike): SyncStorage {
  for (const method of ['getItem', 'setItem', 'removeItem'] as const) {
    if (typeof asyncStorage[method] !== 'function') throw new TypeError(`asyncStorageAdapter: storage has no ${method}()`);
  }
  return {
    getItem: (key) => asyncStorage.getItem(key),
    setItem: (key, value) => asyncStorage.setItem(key, value),
    removeItem: (key) => asyncStorage.removeItem(key),
  };
}
