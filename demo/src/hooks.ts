/** React bindings for one SDK client (useSyncExternalStore over the SDK's subscribe/get pairs). */
import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { CartView, Device, SyncClient, SyncStatus, WatchView } from '../../client-sdk/src/index.ts';

export function useCart(client: SyncClient): CartView {
  const subscribe = useCallback((cb: () => void) => client.cart.subscribe(cb), [client]);
  return useSyncExternalStore(subscribe, () => client.cart.get());
}

export function useWatch(client: SyncClient): WatchView {
  const subscribe = useCallback((cb: () => void) => client.watch.subscribe(cb), [client]);
  return useSyncExternalStore(subscribe, () => client.watch.view());
}

export function useDevices(client: SyncClient): readonly Device[] {
  const subscribe = useCallback((cb: () => void) => client.devices.subscribe(cb), [client]);
  return useSyncExternalStore(subscribe, () => client.devices.list());
}

export interface ConnectionSnapshot {
  status: SyncStatus;
  nodeId: string | null;
  pending: number;
}

/** Status, node and pending count as one snapshot that changes identity only when one of them changes. */
export function useConnection(client: SyncClient): ConnectionSnapshot {
  const cache = useRef<ConnectionSnapshot | null>(null);
  const subscribe = useCallback(
    (cb: () => void) => {
      const offStatus = client.onStatus(cb);
      const offPending = client.onPendingCount(cb);
      return () => {
        offStatus();
        offPending();
      };
    },
    [client],
  );
  const read = () => {
    const next = { status: client.status, nodeId: client.status === 'connected' ? client.nodeId : null, pending: client.pendingCount };
    const prev = cache.current;
    if (prev && prev.status === next.status && prev.nodeId === next.nodeId && prev.pending === next.pending) return prev;
    cache.current = next;
    return next;
  };
  return useSyncExternalStore(subscribe, read);
}
