type MaybePromise<T> = T | Promise<T>;

/**
 * A string key-value store. `localStorage` and React Native's `AsyncStorage` both have this shape,
 * so either can be passed as is; the adapters below only add checks.
 */
export interface SyncStorage {
  getItem(key: string): MaybePromise<string | null | undefined>;
  setItem(key: string, value: string): MaybePromise<void>;
  removeItem(key: string): MaybePromise<void>;
}

/** The SDK's view of a SyncStorage: always async, namespaced, one operation at a time per key. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}
