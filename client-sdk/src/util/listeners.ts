/** A set of listeners; one throwing listener neither breaks the SDK nor the other listeners. */
export interface Listeners<T> {
  add(listener: (value: T) => void): () => void;
  emit(value: T): void;
  clear(): void;
  readonly size: number;
}

export function createListeners<T>(): Listeners<T> {
  const set = new Set<(value: T) => void>();
  return {
    add(listener) {
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    emit(value) {
      for (const listener of [...set]) {
        try {
          listener(value);
        } catch (err) {
          // Surface the app's bug without unwinding the SDK's state update.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    },
    clear() {
      set.clear();
    },
    get size() {
      return set.size;
    },
  };
}
