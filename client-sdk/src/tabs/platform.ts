/** The browser APIs tab sharing needs, typed here so the SDK does not depend on the DOM library. */

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T> | T): Promise<T>;
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T> | T): Promise<T>;
}

export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

export interface TabPlatform {
  readonly locks: LockManagerLike;
  openChannel(name: string): BroadcastChannelLike;
}

/**
 * Web Locks and BroadcastChannel in a page, or null: React Native, Node (which has BroadcastChannel but no
 * tabs) and old browsers connect every client itself.
 */
export function tabPlatform(scope: object = globalThis): TabPlatform | null {
  const g = scope as {
    document?: unknown;
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: new (name: string) => BroadcastChannelLike;
  };
  const locks = g.navigator?.locks;
  const Channel = g.BroadcastChannel;
  if (typeof g.document !== 'object' || !locks || typeof locks.request !== 'function' || typeof Channel !== 'function') return null;
  return { locks, openChannel: (name) => new Channel(name) };
}
