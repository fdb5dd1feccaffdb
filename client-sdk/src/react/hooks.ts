import { useCallback, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { Device, WatchEntry } from '../protocol/index.js';
import type { SyncStatus } from '../connection/state.js';
import type { CartView } from '../state/views.js';
import type { HandoffEvent, SyncClient } from '../types.js';
import { SyncClientContext } from './context.js';

/** The client from the nearest SyncProvider. */
export function useSyncClient(): SyncClient {
  const client = useContext(SyncClientContext);
  if (!client) throw new Error('useSyncClient: wrap your components in <SyncProvider client={client}>');
  return client;
}

/** The cart, with pending local changes; re-renders when it changes. */
export function useCart(): CartView {
  const client = useSyncClient();
  return useSyncExternalStore(client.cart.subscribe, client.cart.get, client.cart.get);
}

/** One video's progress (undefined until watched); re-renders only when that entry changes. */
export function useWatchProgress(videoId: string): WatchEntry | undefined {
  const client = useSyncClient();
  const get = useCallback(() => client.watch.get(videoId), [client, videoId]);
  return useSyncExternalStore(client.watch.subscribe, get, get);
}

/** Unfinished videos, most recently watched first. */
export function useContinueWatching(): readonly WatchEntry[] {
  const client = useSyncClient();
  return useSyncExternalStore(client.watch.subscribe, client.watch.continueWatching, client.watch.continueWatching);
}

/** The user's devices, with who is online and where. */
export function useDevices(): readonly Device[] {
  const client = useSyncClient();
  return useSyncExternalStore(client.devices.subscribe, client.devices.list, client.devices.list);
}

/** 'connecting' | 'connected' | 'offline' | 'unauthorized' | 'closed'. */
export function useSyncStatus(): SyncStatus {
  const client = useSyncClient();
  const subscribe = useCallback((onChange: () => void) => client.onStatus(onChange), [client]);
  const get = useCallback(() => client.status, [client]);
  return useSyncExternalStore(subscribe, get, get);
}

/** How many changes wait for the server (e.g. to show "saving…" or "3 changes offline"). */
export function usePendingCount(): number {
  const client = useSyncClient();
  const subscribe = useCallback((onChange: () => void) => client.onPendingCount(onChange), [client]);
  const get = useCallback(() => client.pendingCount, [client]);
  return useSyncExternalStore(subscribe, get, get);
}

/**
 * Calls `listener` when another of the user's devices hands a video to this one ("continue on laptop"):
 * start playing `event.videoId` at `event.positionSec`. The newest listener is called; it need not be stable.
 */
export function useHandoff(listener: (event: HandoffEvent) => void): void {
  const client = useSyncClient();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => client.playback.onHandoff((event) => latest.current(event)), [client]);
}
