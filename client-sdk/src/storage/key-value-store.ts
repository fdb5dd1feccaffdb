import type { KeyValueStore, SyncStorage } from './types.js';

/**
 * Wraps a SyncStorage. Operations on one key run one after another, in call order, so a slow async
 * backend can never let an older write land after a newer one.
 */
export function createKeyValueStore(storage: SyncStorage, prefix: string): KeyValueStore {
  const tails = new Map<string, Promise<unknown>>();

  function run<T>(key: string, operation: () => T | Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  }

  return {
    get: (key) => run(key, async () => (await storage.getItem(prefix + key)) ?? null),
    set: (key, value) => run(key, () => storage.setItem(prefix + key, value)),
    remove: (key) => run(key, () => storage.removeItem(prefix + key)),
  };
}
