/**
 * Settles as `promise` does, or rejects with `onTimeout()` after `ms`; the timer never outlives the promise.
 * The promise itself is not cancelled: the work behind it goes on. The one timer race of the product, the
 * tests, the fault suite and the bench (test/support/timing.ts builds `timeout()` on it).
 */
export function raceTimer<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
