import type { CartFreeze, CartLine, Snapshot, WatchEntry } from '../protocol/index.js';

/** The synced data: cart lines by sku and watch entries by video id. Never mutated: every change makes new maps. */
export interface StateData {
  readonly cart: ReadonlyMap<string, CartLine>;
  readonly watch: ReadonlyMap<string, WatchEntry>;
  /** The checkout holding the cart, as last committed (it lapses by itself at `expiresAt`: see freezeHolds). */
  readonly frozen: CartFreeze | null;
}

/** The server's state as this client last saw it, at `version` of `epoch` (null before the first sync). */
export interface ServerState extends StateData {
  readonly epoch: string | null;
  readonly version: number;
}

export function emptyServerState(): ServerState {
  return { epoch: null, version: 0, cart: new Map(), watch: new Map(), frozen: null };
}

export function stateFromSnapshot(epoch: string, version: number, snapshot: Snapshot): ServerState {
  return {
    epoch,
    version,
    cart: new Map(snapshot.cart.map((line) => [line.sku, line])),
    watch: new Map(snapshot.watch.map((entry) => [entry.videoId, entry])),
    frozen: snapshot.frozen ?? null,
  };
}

export function snapshotOf(data: StateData): Snapshot {
  return { cart: [...data.cart.values()], watch: [...data.watch.values()], ...(data.frozen ? { frozen: data.frozen } : {}) };
}
