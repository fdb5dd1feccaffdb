'use client';

export { SyncProvider } from './provider.js';
export {
  useSyncClient,
  useCart,
  useWatchProgress,
  useContinueWatching,
  useDevices,
  useSyncStatus,
  usePendingCount,
  useHandoff,
} from './hooks.js';
