import type { CartLine, WatchEntry } from '../protocol/index.js';
import { continueWatching } from '../rules/index.js';

/** What `client.cart.get()` returns. The same object until the cart changes (safe for useSyncExternalStore). */
export interface CartView {
  readonly items: readonly CartLine[];
  readonly totalCents: number;
  /** The server version this view is based on, as of the cart's last change. */
  readonly version: number;
}

/** What `client.watch.subscribe` delivers. The same object until watch progress changes. */
export interface WatchView {
  readonly entries: ReadonlyMap<string, WatchEntry>;
  /** Unfinished videos, most recently watched first. */
  readonly continueWatching: readonly WatchEntry[];
  readonly version: number;
}

export function cartView(cart: ReadonlyMap<string, CartLine>, version: number): CartView {
  const items = [...cart.values()];
  let totalCents = 0;
  for (const line of items) totalCents += line.priceCents * line.qty;
  return { items, totalCents, version };
}

export function watchView(watch: ReadonlyMap<string, WatchEntry>, version: number): WatchView {
  return { entries: watch, continueWatching: continueWatching(watch.values()), version };
}
