import type { CartLine, Change, Op, WatchEntry } from '../protocol/index.js';
import { applyCartOp, applyWatchOp, touchesCart, touchesWatch } from '../rules/index.js';
import type { ServerState, StateData } from './server-state.js';

function nextCart(cart: ReadonlyMap<string, CartLine>, op: Op): ReadonlyMap<string, CartLine> {
  if (!touchesCart(op) || (op.type === 'cart:clear' && cart.size === 0)) return cart;
  const next = new Map(cart);
  applyCartOp(next, op);
  return next;
}

function nextWatch(watch: ReadonlyMap<string, WatchEntry>, op: Op): ReadonlyMap<string, WatchEntry> {
  if (!touchesWatch(op) || (op.type === 'watch:remove' && !watch.has(op.videoId))) return watch;
  const next = new Map(watch);
  applyWatchOp(next, op);
  return next;
}

/**
 * Applies a committed state delta with the engines' rules, on copies: the maps of `state` are never changed,
 * and a part the delta leaves alone keeps its map, so views (which compare by identity) stay put.
 */
export function applyOp<S extends StateData>(state: S, op: Op): S {
  const cart = nextCart(state.cart, op);
  const watch = nextWatch(state.watch, op);
  const frozen = op.type === 'cart:freeze' ? op.freeze : op.type === 'cart:unfreeze' ? null : state.frozen;
  if (cart === state.cart && watch === state.watch && frozen === state.frozen) return state;
  return { ...state, cart, watch, frozen };
}

/** Applies the change that follows `state.version` in the same epoch; the caller keeps the order. */
export function applyChange(state: ServerState, change: Change): ServerState {
  return { ...applyOp(state, change.op), epoch: change.epoch, version: change.version };
}

/**
 * Applies consecutive changes (in version order) at once: each map they touch is copied once and changed in
 * place, so a catch-up of 1,000 changes costs one copy of the cart, not 1,000. `state`'s maps stay as they were.
 */
export function applyChanges(state: ServerState, changes: readonly Change[]): ServerState {
  const last = changes[changes.length - 1];
  if (!last) return state;
  if (changes.length === 1) return applyChange(state, last);
  let cart: Map<string, CartLine> | null = null;
  let watch: Map<string, WatchEntry> | null = null;
  let frozen = state.frozen;
  for (const { op } of changes) {
    if (touchesCart(op) && !(op.type === 'cart:clear' && (cart ?? state.cart).size === 0)) {
      cart ??= new Map(state.cart);
      applyCartOp(cart, op);
    }
    if (touchesWatch(op) && !(op.type === 'watch:remove' && !(watch ?? state.watch).has(op.videoId))) {
      watch ??= new Map(state.watch);
      applyWatchOp(watch, op);
    }
    if (op.type === 'cart:freeze') frozen = op.freeze;
    else if (op.type === 'cart:unfreeze') frozen = null;
  }
  return { epoch: last.epoch, version: last.version, cart: cart ?? state.cart, watch: watch ?? state.watch, frozen };
}
