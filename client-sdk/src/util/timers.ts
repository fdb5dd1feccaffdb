/** Time and timers, injectable so tests can drive them. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's clock and timers (read at call time, so fake timers installed later still apply). */
export function systemTimers(): Timers {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
  };
}

/** One re-armable timer slot: arming it again replaces the previous callback. */
export interface TimerSlot {
  set(callback: () => void, ms: number): void;
  clear(): void;
  readonly armed: boolean;
}

export function createTimerSlot(timers: Timers): TimerSlot {
  let handle: unknown;
  let armed = false;
  return {
    set(callback, ms) {
      if (armed) timers.clearTimeout(handle);
      armed = true;
      handle = timers.setTimeout(() => {
        armed = false;
        callback();
      }, Math.max(0, ms));
    },
    clear() {
      if (armed) timers.clearTimeout(handle);
      armed = false;
    },
    get armed() {
      return armed;
    },
  };
}
