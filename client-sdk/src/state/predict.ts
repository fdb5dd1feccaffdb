import type { CartLine, WatchEntry, WatchRules } from '../protocol/index.js';
import {
  applyCartOp,
  applyWatchOp,
  decideCart,
  decideWatch,
  decideWatchRemove,
  normalizeWatchReport,
  touchesCart,
  touchesWatch,
  type Decision,
} from '../rules/index.js';
import { applyOp } from './apply-op.js';
import type { MutationBody } from './mutation-body.js';
import type { StateData } from './server-state.js';

/**
 * What the server's rules decide for a mutation on `state`: the rules the engines commit with, and the resume
 * rules the server sent (`watchRules`). A watch report is stamped in server time by the SDK, so the server's
 * clamp to its own now is left out here.
 */
export function decide(state: StateData, mutation: MutationBody, deviceId: string, watchRules: WatchRules): Decision {
  switch (mutation.event) {
    case 'watch:report': {
      const report = normalizeWatchReport(mutation.request);
      return { ok: true, op: decideWatch(state.watch, report, deviceId, Number.POSITIVE_INFINITY, watchRules) };
    }
    case 'watch:remove':
      return { ok: true, op: decideWatchRemove(state.watch, mutation.request.videoId) };
    default:
      return decideCart(state.cart, mutation);
  }
}

/** The local effect of a mutation the server has not confirmed yet; one the server would refuse has none. */
export function predict<S extends StateData>(state: S, mutation: MutationBody, deviceId: string, watchRules: WatchRules): S {
  const decision = decide(state, mutation, deviceId, watchRules);
  return decision.ok ? applyOp(state, decision.op) : state;
}

/**
 * Rebase: the server's state with the still-pending mutations replayed on top, in their order. Each map a
 * pending mutation touches is copied once and changed in place (a copy per mutation made a rebase of n
 * mutations cost n copies of the cart); the server's maps are never changed.
 */
export function rebase<S extends StateData>(server: S, pending: readonly MutationBody[], deviceId: string, watchRules: WatchRules): S {
  let cart: Map<string, CartLine> | null = null;
  let watch: Map<string, WatchEntry> | null = null;
  let frozen = server.frozen;
  for (const mutation of pending) {
    const decision = decide({ cart: cart ?? server.cart, watch: watch ?? server.watch, frozen }, mutation, deviceId, watchRules);
    if (!decision.ok) continue;
    const { op } = decision;
    if (touchesCart(op) && !(op.type === 'cart:clear' && (cart ?? server.cart).size === 0)) {
      cart ??= new Map(server.cart);
      applyCartOp(cart, op);
    }
    if (touchesWatch(op) && !(op.type === 'watch:remove' && !(watch ?? server.watch).has(op.videoId))) {
      watch ??= new Map(server.watch);
      applyWatchOp(watch, op);
    }
    if (op.type === 'cart:freeze') frozen = op.freeze;
    else if (op.type === 'cart:unfreeze') frozen = null;
  }
  if (cart === null && watch === null && frozen === server.frozen) return server;
  return { ...server, cart: cart ?? server.cart, watch: watch ?? server.watch, frozen };
}
