import type { Change, Op } from '../protocol/index.js';
import type { ServerState, StateData } from './server-state.js';

/** Applies a committed state delta. Deltas carry the new value, so applying one twice changes nothing. */
export function applyOp<S extends StateData>(state: S, op: Op): S {
  switch (op.type) {
    case 'cart:line': {
      const cart = new Map(state.cart);
      if (op.line) cart.set(op.sku, op.line);
      else cart.delete(op.sku);
      return { ...state, cart };
    }
    case 'cart:clear':
      return state.cart.size === 0 ? state : { ...state, cart: new Map() };
    case 'watch': {
      const watch = new Map(state.watch);
      for (const videoId of op.trimmed) watch.delete(videoId);
      watch.set(op.entry.videoId, op.entry);
      return { ...state, watch };
    }
    case 'watch:remove': {
      if (!state.watch.has(op.videoId)) return state;
      const watch = new Map(state.watch);
      watch.delete(op.videoId);
      return { ...state, watch };
    }
    case 'cart:freeze':
      return { ...state, frozen: op.freeze };
    case 'cart:unfreeze':
      return { ...state, frozen: null, cart: op.cleared ? new Map() : state.cart };
    case 'merge': {
      const watch = new Map(state.watch);
      for (const videoId of op.trimmed) watch.delete(videoId);
      for (const entry of op.watch) watch.set(entry.videoId, entry);
      return { ...state, cart: new Map(op.cart.map((line) => [line.sku, line])), watch };
    }
    case 'noop':
      return state;
  }
}

/** Applies the change that follows `state.version` in the same epoch; the caller keeps the order. */
export function applyChange(state: ServerState, change: Change): ServerState {
  return { ...applyOp(state, change.op), epoch: change.epoch, version: change.version };
}
