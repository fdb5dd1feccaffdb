/**
 * Node-wide token expiry: sockets are filed by the second their token expires, and one interval per node
 * ends what is due. No timer per socket, so a node with many idle connections pays one timer.
 */
export interface ExpiryWheel<T> {
  /** Files (or refiles) `item` to expire at `expiresAt` (ms). */
  schedule(item: T, expiresAt: number): void;
  remove(item: T): void;
  /** Items still filed. */
  readonly size: number;
  stop(): void;
}

export interface ExpiryWheelOptions<T> {
  onExpire(item: T): void;
  now?: () => number;
  /** @default 1000 */
  tickMs?: number;
}

export function createExpiryWheel<T>(options: ExpiryWheelOptions<T>): ExpiryWheel<T> {
  const now = options.now ?? Date.now;
  const buckets = new Map<number, Set<T>>();
  const slotOf = new Map<T, number>();
  let lastSwept = Math.floor(now() / 1000);

  const remove = (item: T) => {
    const slot = slotOf.get(item);
    if (slot === undefined) return;
    slotOf.delete(item);
    const bucket = buckets.get(slot);
    bucket?.delete(item);
    if (bucket?.size === 0) buckets.delete(slot);
  };

  const sweep = () => {
    const current = Math.floor(now() / 1000);
    // A slot is due once its whole second has passed. Walk the elapsed seconds, or the filed slots when
    // the clock jumped far (a long pause), whichever is fewer.
    const due =
      current - lastSwept <= buckets.size
        ? Array.from({ length: Math.max(0, current - lastSwept) }, (_, i) => lastSwept + i)
        : [...buckets.keys()].filter((slot) => slot < current);
    for (const slot of due) {
      const bucket = buckets.get(slot);
      if (!bucket) continue;
      buckets.delete(slot);
      for (const item of bucket) {
        slotOf.delete(item);
        options.onExpire(item);
      }
    }
    lastSwept = current;
  };
  const timer = setInterval(sweep, options.tickMs ?? 1000);
  timer.unref();

  return {
    schedule(item, expiresAt) {
      remove(item);
      // Filed under the second in which it expires; swept once that second is over (at most one tick late).
      const slot = Math.max(Math.floor(expiresAt / 1000), lastSwept);
      slotOf.set(item, slot);
      let bucket = buckets.get(slot);
      if (!bucket) buckets.set(slot, (bucket = new Set()));
      bucket.add(item);
    },
    remove,
    get size() {
      return slotOf.size;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
