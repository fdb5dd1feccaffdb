/**
 * What the platform says about the network and the app being in front of the user. The client reconnects at
 * once when either comes back, and keeps its reconnect backoff short while the app is in the foreground.
 */

/** A foreground state as React Native's AppState names it: `active`, `background`, `inactive` (iOS), … */
export type AppStateStatus = string;

/**
 * A source of app states: the `appState` option. React Native's AppState fits through `appStateAdapter`; any
 * other platform can pass its own object. `'active'` means the app is in the foreground.
 */
export interface AppStateSource {
  subscribe(listener: (state: AppStateStatus) => void): void;
  unsubscribe(listener: (state: AppStateStatus) => void): void;
  /** The state now, when the platform knows it (read when the client starts). */
  readonly currentState?: AppStateStatus | null;
}

/** The part of React Native's `AppState` the adapter uses (the SDK does not depend on react-native). */
export interface ReactNativeAppStateLike {
  readonly currentState: AppStateStatus | null;
  addEventListener(type: 'change', listener: (state: AppStateStatus) => void): { remove(): void };
}

/**
 * Wraps React Native's `AppState`: `createSyncClient({ …, appState: appStateAdapter(AppState) })` reconnects
 * at once when the app becomes active and caps the backoff at `backoff.foregroundCapMs` while it is.
 */
export function appStateAdapter(appState: ReactNativeAppStateLike): AppStateSource {
  const subscriptions = new Map<(state: AppStateStatus) => void, { remove(): void }>();
  return {
    get currentState() {
      return appState.currentState;
    },
    subscribe(listener) {
      if (!subscriptions.has(listener)) subscriptions.set(listener, appState.addEventListener('change', listener));
    },
    unsubscribe(listener) {
      subscriptions.get(listener)?.remove();
      subscriptions.delete(listener);
    },
  };
}

/** A signal that the connection may work again now. */
export type WakeReason = 'online' | 'foreground';

export interface AppLifecycle {
  /**
   * The page is visible or the app is active. False where neither a document nor an `appState` says so
   * (Node: a process nobody looks at keeps the long backoff).
   */
  foreground(): boolean;
  onWake(listener: (reason: WakeReason) => void): () => void;
  /** Stops listening to the platform. */
  close(): void;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

interface DocumentLike extends EventTargetLike {
  readonly visibilityState?: string;
}

/**
 * Listens to the browser (`online` on window, `visibilitychange` on document) where they exist, and to the
 * `appState` source when one is given. In Node neither exists and nothing is listened to.
 */
export function createAppLifecycle(appState: AppStateSource | undefined, scope: object = globalThis): AppLifecycle {
  const listeners = new Set<(reason: WakeReason) => void>();
  const wake = (reason: WakeReason) => {
    for (const listener of [...listeners]) listener(reason);
  };
  const undo: Array<() => void> = [];
  const win = scope as Partial<EventTargetLike> & { document?: DocumentLike };
  const doc = win.document;

  if (typeof win.addEventListener === 'function' && typeof win.removeEventListener === 'function') {
    const onOnline = () => wake('online');
    win.addEventListener('online', onOnline);
    undo.push(() => win.removeEventListener?.('online', onOnline));
  }
  const hasPage = doc !== undefined && typeof doc.visibilityState === 'string';
  const pageVisible = () => doc?.visibilityState !== 'hidden';
  if (doc && typeof doc.addEventListener === 'function') {
    const onVisibility = () => {
      if (pageVisible()) wake('foreground');
    };
    doc.addEventListener('visibilitychange', onVisibility);
    undo.push(() => doc.removeEventListener('visibilitychange', onVisibility));
  }

  let appActive = (appState?.currentState ?? 'active') === 'active';
  if (appState) {
    const onAppState = (state: AppStateStatus) => {
      const active = state === 'active';
      const cameBack = active && !appActive;
      appActive = active;
      if (cameBack) wake('foreground');
    };
    appState.subscribe(onAppState);
    undo.push(() => appState.unsubscribe(onAppState));
  }

  return {
    foreground: () => (hasPage || appState !== undefined) && appActive && pageVisible(),
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      for (const stop of undo.splice(0)) stop();
    },
  };
}
