import type { ReactNode } from 'react';
import type { SyncClient } from '../types.js';
import { SyncClientContext } from './context.js';

/** Makes a client available to the hooks below it. Create the client once, outside of render. */
export function SyncProvider({ client, children }: { client: SyncClient; children?: ReactNode }) {
  return <SyncClientContext.Provider value={client}>{children}</SyncClientContext.Provider>;
}
