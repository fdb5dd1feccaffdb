import { decideCart, decideWatch, decideWatchRemove, normalizeWatchReport, type Decision } from '../rules/index.js';
import { applyOp } from './apply-op.js';
import type { MutationBody } from './mutation-body.js';
import type { StateData } from './server-state.js';

/**
 * What the server's rules decide for a mutation on `state`: the rules the engines commit with. A watch
 * report is stamped in server time by the SDK, so the server's clamp to its own now is left out here.
 */
export function decide(state: StateData, mutation: MutationBody, deviceId: string): Decision {
  switch (mutation.event) {
    case 'watch:report': {
      const report = normalizeWatchReport(mutation.request);
      return { ok: true, op: decideWatch(state.watch, report, deviceId, Number.POSITIVE_INFINITY) };
    }
    case 'watch:remove':
      return { ok: true, op: decideWatchRemove(state.watch, mutation.request.videoId) };
    default:
      return decideCart(state.cart, mutation);
  }
}

/** The local effect of a mutation the server has not confirmed yet; one the server would refuse has none. */
export function predict<S extends StateData>(state: S, mutation: MutationBody, deviceId: string): S {
  const decision = decide(state, mutation, deviceId);
  return decision.ok ? applyOp(state, decision.op) : state;
}

/** Rebase: the server's state with the still-pending mutations replayed on top, in their order. */
export function rebase<S extends StateData>(server: S, pending: readonly MutationBody[], deviceId: string): S {
  let state = server;
  for (const mutation of pending) state = predict(state, mutation, deviceId);
  return state;
}
