import { DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import type { ConnectionState } from './state.js';

/**
 * The backoff to draw the next reconnect delay from: in the foreground the ceiling is `foregroundCapMs`
 * (10 s by default), in the background the longer `capMs`, so hidden tabs and backgrounded apps do not all
 * come back at once after an outage.
 */
export function reconnectBackoff(backoff: BackoffOptions, foreground: boolean): BackoffOptions {
  if (!foreground) return backoff;
  const foregroundCap = backoff.foregroundCapMs ?? DEFAULT_BACKOFF.foregroundCapMs ?? backoff.capMs;
  return { ...backoff, capMs: Math.min(backoff.capMs, foregroundCap) };
}

/**
 * Whether the network coming back or the app returning to the foreground should end the wait for a retry:
 * only while waiting after a lost or failed connection. A manual offline stays offline, a superseded device
 * waits for `goOnline()`, a drain keeps the delay the node asked for, and a connection in progress or up is
 * left alone.
 */
export function reconnectsOnWake(state: ConnectionState): boolean {
  return state.status === 'offline' && state.reason === 'network';
}
