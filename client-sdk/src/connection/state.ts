import type { SyncClientError } from '../errors.js';
import { createListeners } from '../util/listeners.js';

/** The client's connection status, as apps see it. */
export type SyncStatus = 'connecting' | 'connected' | 'offline' | 'unauthorized' | 'closed';

/** Why the client is offline. */
export type OfflineReason =
  /** `goOffline()` or `connect: false`: no reconnecting until `goOnline()`. */
  | 'manual'
  /** The connection failed or dropped; retrying with backoff. */
  | 'network'
  /** The node asked clients to move (drain); reconnecting to another node after its delay. */
  | 'drain'
  /**
   * A newer connection of the same device (another tab or process with this deviceId) took over. No
   * reconnecting until `goOnline()`, so two copies do not take the device from each other in a loop.
   */
  | 'superseded';

/** The connection state, with the data of each state (no flags beside it). */
export type ConnectionState =
  | { readonly status: 'connecting'; readonly url: string; readonly attempt: number }
  | { readonly status: 'connected'; readonly url: string; readonly nodeId: string }
  | { readonly status: 'offline'; readonly reason: OfflineReason; readonly attempt: number; readonly retryAt: number | null }
  | { readonly status: 'unauthorized'; readonly error: SyncClientError }
  | { readonly status: 'closed' };

export interface ConnectionStateMachine {
  readonly state: ConnectionState;
  /**
   * Moves to `next`. Guards, in this order: `closed` is terminal; a move to the same status with the same
   * data is a no-op (the same status with other data, e.g. a manual offline during a backoff, is a move).
   * Returns whether the state changed; every change emits exactly one status event.
   */
  to(next: ConnectionState): boolean;
  onStatus(listener: (state: ConnectionState) => void): () => void;
}

/** Same status and every field equal (an `unauthorized` error compares by identity). */
function sameState(a: ConnectionState, b: ConnectionState): boolean {
  if (a.status !== b.status) return false;
  const left = a as Readonly<Record<string, unknown>>;
  const right = b as Readonly<Record<string, unknown>>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.is(left[key], right[key]));
}

export function createConnectionStateMachine(initial: ConnectionState): ConnectionStateMachine {
  let state = initial;
  const listeners = createListeners<ConnectionState>();
  return {
    get state() {
      return state;
    },
    to(next) {
      if (state.status === 'closed') return false;
      if (sameState(state, next)) return false;
      state = next;
      listeners.emit(state);
      return true;
    },
    onStatus: (listener) => listeners.add(listener),
  };
}
