import type { WatchEntry, WatchRules } from '../protocol/index.js';
import type { MutationBody } from '../state/mutation-body.js';
import { rebase } from '../state/predict.js';
import type { ServerState, StateData } from '../state/server-state.js';
import { cartView, watchView, type CartView, type WatchView } from '../state/views.js';
import { createListeners } from '../util/listeners.js';

export interface ViewStore {
  /** Recomputes the views from the server state plus pending mutations; notifies only what changed. */
  update(server: ServerState, pending: readonly MutationBody[]): void;
  cart(): CartView;
  watch(): WatchView;
  /** The state the views show: the server's with the pending mutations predicted on top. */
  predicted(): StateData;
  onCart(listener: (cart: CartView) => void): () => void;
  onWatch(listener: (watch: WatchView) => void): () => void;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameCart(a: CartView, b: CartView): boolean {
  if (a.version !== b.version || a.items.length !== b.items.length) return false;
  return a.items.every((line, i) => {
    const other = b.items[i];
    return other !== undefined && line.sku === other.sku && line.qty === other.qty && line.title === other.title && line.priceCents === other.priceCents;
  });
}

function sameEntry(a: WatchEntry, b: WatchEntry | undefined): boolean {
  return (
    b !== undefined &&
    a.positionSec === b.positionSec &&
    a.durationSec === b.durationSec &&
    a.updatedAt === b.updatedAt &&
    a.deviceId === b.deviceId &&
    a.completed === b.completed
  );
}

function sameWatch(a: WatchView, b: WatchView): boolean {
  if (a.version !== b.version || a.entries.size !== b.entries.size) return false;
  for (const [videoId, entry] of a.entries) if (!sameEntry(entry, b.entries.get(videoId))) return false;
  return true;
}

/**
 * The optimistic views. Each domain is recomputed only when its server part or its pending mutations changed,
 * and a recomputed view that equals the previous one keeps the previous object, so React renders stay put.
 */
export function createViewStore(deviceId: () => string, watchRules: () => WatchRules): ViewStore {
  const cartListeners = createListeners<CartView>();
  const watchListeners = createListeners<WatchView>();
  let cartKey: { server: ServerState['cart'] | null; pending: readonly MutationBody[]; frozen: ServerState['frozen'] } = {
    server: null,
    pending: [],
    frozen: null,
  };
  let watchKey: { server: ServerState['watch'] | null; pending: readonly MutationBody[]; rules: WatchRules | null } = { server: null, pending: [], rules: null };
  let cart = cartView(new Map(), 0);
  let watch = watchView(new Map(), 0);
  let predicted: StateData = { cart: new Map(), watch: new Map(), frozen: null };

  return {
    update(server, pending) {
      const isWatch = (m: MutationBody) => m.event === 'watch:report' || m.event === 'watch:remove';
      const cartPending = pending.filter((m) => !isWatch(m));
      if (cartKey.server !== server.cart || cartKey.frozen !== server.frozen || !sameList(cartKey.pending, cartPending)) {
        // A freeze or its end changes no line, yet subscribers must hear of it (cart.frozen tells the rest).
        const freezeMoved = cartKey.frozen !== server.frozen;
        cartKey = { server: server.cart, pending: cartPending, frozen: server.frozen };
        const lines = rebase({ cart: server.cart, watch: new Map(), frozen: null }, cartPending, deviceId(), watchRules()).cart;
        predicted = { ...predicted, cart: lines, frozen: server.frozen };
        const next = cartView(lines, server.version);
        if (freezeMoved || !sameCart(next, cart)) {
          cart = next;
          cartListeners.emit(cart);
        }
      }
      const watchPending = pending.filter(isWatch);
      // The server's resume rules arrive with a sync: pending reports are predicted again with them.
      const rules = watchRules();
      if (watchKey.server !== server.watch || watchKey.rules !== rules || !sameList(watchKey.pending, watchPending)) {
        watchKey = { server: server.watch, pending: watchPending, rules };
        const entries = rebase({ cart: new Map(), watch: server.watch, frozen: null }, watchPending, deviceId(), rules).watch;
        predicted = { ...predicted, watch: entries };
        const next = watchView(entries, server.version);
        if (!sameWatch(next, watch)) {
          watch = next;
          watchListeners.emit(watch);
        }
      }
    },
    cart: () => cart,
    watch: () => watch,
    predicted: () => predicted,
    onCart: (listener) => cartListeners.add(listener),
    onWatch: (listener) => watchListeners.add(listener),
  };
}
