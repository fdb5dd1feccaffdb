import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, fullJitterDelay } from '../../src/backoff.ts';
import { appStateAdapter, createAppLifecycle, type AppStateStatus, type WakeReason } from '../../src/connection/app-lifecycle.ts';
import { reconnectBackoff, reconnectsOnWake } from '../../src/connection/reconnect-policy.ts';
import type { ConnectionState } from '../../src/connection/state.ts';
import { SyncClientError } from '../../src/errors.ts';

/** A browser-like scope: window and document are real EventTargets; the test sets the visibility. */
function pageScope(visibility: 'visible' | 'hidden' = 'visible') {
  const document = Object.assign(new EventTarget(), { visibilityState: visibility });
  const window = Object.assign(new EventTarget(), { document });
  return {
    scope: window,
    show(state: 'visible' | 'hidden') {
      document.visibilityState = state;
      document.dispatchEvent(new Event('visibilitychange'));
    },
    online: () => window.dispatchEvent(new Event('online')),
  };
}

/** React Native's AppState surface: one 'change' event, subscriptions with remove(). */
function appStateLike(initial: AppStateStatus) {
  const listeners = new Set<(state: AppStateStatus) => void>();
  return {
    currentState: initial as AppStateStatus | null,
    addEventListener(_type: 'change', listener: (state: AppStateStatus) => void) {
      listeners.add(listener);
      return { remove: () => listeners.delete(listener) };
    },
    set(state: AppStateStatus) {
      this.currentState = state;
      for (const listener of [...listeners]) listener(state);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}

describe('reconnect backoff', () => {
  it('caps every delay at 10 s while in the foreground and keeps the 30 s cap in the background', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        expect(fullJitterDelay(attempt, reconnectBackoff(DEFAULT_BACKOFF, true), () => r)).toBeLessThan(10_000);
        expect(fullJitterDelay(attempt, reconnectBackoff(DEFAULT_BACKOFF, false), () => r)).toBeLessThan(30_000);
      }),
    );
    expect(fullJitterDelay(20, reconnectBackoff(DEFAULT_BACKOFF, true), () => 0.9999)).toBeGreaterThan(9_990);
    expect(fullJitterDelay(20, reconnectBackoff(DEFAULT_BACKOFF, false), () => 0.9999)).toBeGreaterThan(29_990);
  });

  it('takes the foreground cap from the options and never raises a lower cap', () => {
    expect(reconnectBackoff({ baseMs: 100, capMs: 60_000, foregroundCapMs: 2_000 }, true).capMs).toBe(2_000);
    expect(reconnectBackoff({ baseMs: 100, capMs: 60_000 }, true).capMs).toBe(10_000);
    expect(reconnectBackoff({ baseMs: 100, capMs: 4_000 }, true).capMs).toBe(4_000);
    expect(reconnectBackoff({ baseMs: 100, capMs: 60_000, foregroundCapMs: 2_000 }, false).capMs).toBe(60_000);
  });
});

describe('reconnecting on wake', () => {
  const states: Array<[ConnectionState, boolean]> = [
    [{ status: 'offline', reason: 'network', attempt: 5, retryAt: 30_000 }, true],
    [{ status: 'offline', reason: 'manual', attempt: 0, retryAt: null }, false],
    [{ status: 'offline', reason: 'drain', attempt: 0, retryAt: 1_000 }, false],
    [{ status: 'offline', reason: 'superseded', attempt: 0, retryAt: null }, false],
    [{ status: 'connecting', url: 'http://gw', attempt: 1 }, false],
    [{ status: 'connected', url: 'http://gw', nodeId: 'n1' }, false],
    [{ status: 'unauthorized', error: new SyncClientError('unauthorized', 'no') }, false],
    [{ status: 'closed' }, false],
  ];
  it.each(states)('ends the wait only for a lost or failed connection (%o)', (state, expected) => {
    expect(reconnectsOnWake(state)).toBe(expected);
  });
});

describe('app lifecycle', () => {
  it('wakes on the browser coming online and on the page becoming visible, not on it hiding', () => {
    const page = pageScope('hidden');
    const lifecycle = createAppLifecycle(undefined, page.scope);
    const seen: WakeReason[] = [];
    lifecycle.onWake((reason) => seen.push(reason));
    expect(lifecycle.foreground()).toBe(false);
    page.show('visible');
    expect(lifecycle.foreground()).toBe(true);
    page.show('hidden');
    page.online();
    expect(seen).toEqual(['foreground', 'online']);
    lifecycle.close();
    page.online();
    page.show('visible');
    expect(seen).toHaveLength(2);
  });

  it('is never in the foreground where there is no page and no app state (Node)', () => {
    const lifecycle = createAppLifecycle(undefined, {});
    expect(lifecycle.foreground()).toBe(false);
    lifecycle.close();
  });

  it('wakes when React Native says active again, and unsubscribes on close', () => {
    const appState = appStateLike('background');
    const lifecycle = createAppLifecycle(appStateAdapter(appState), {});
    const seen: WakeReason[] = [];
    lifecycle.onWake((reason) => seen.push(reason));
    expect(lifecycle.foreground()).toBe(false);
    appState.set('inactive');
    appState.set('active');
    appState.set('active');
    expect(seen).toEqual(['foreground']);
    expect(lifecycle.foreground()).toBe(true);
    appState.set('background');
    expect(lifecycle.foreground()).toBe(false);
    expect(appState.listenerCount).toBe(1);
    lifecycle.close();
    expect(appState.listenerCount).toBe(0);
  });

  it('starts in the foreground when the app state is active or unknown', () => {
    const active = createAppLifecycle(appStateAdapter(appStateLike('active')), {});
    expect(active.foreground()).toBe(true);
    const unknown = createAppLifecycle({ subscribe() {}, unsubscribe() {} }, {});
    expect(unknown.foreground()).toBe(true);
    active.close();
    unknown.close();
  });
});
