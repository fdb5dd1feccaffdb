import type { Mutation, Op, WatchRules } from '../../../client-sdk/src/protocol/index.ts';
import { decideCart, decideWatch, decideWatchRemove, reportedBeforeRemoval } from '../../../client-sdk/src/rules/index.ts';
import { assertNotFrozen } from '../../domain/checkout.ts';
import { SyncError } from '../../errors.ts';
import { markRemoved, type UserState } from './user-state.ts';

/** The op a device's mutation commits, by the shared rules (throws SyncError for a refusal). */
export function decideMutation(state: UserState, deviceId: string, mutation: Mutation, at: number, watchRules: WatchRules): Op {
  if (mutation.event === 'watch:report') {
    if (reportedBeforeRemoval(state.watchGone.get(mutation.request.videoId), mutation.request, deviceId, at)) return { type: 'noop' };
    return decideWatch(state.watch, mutation.request, deviceId, at, watchRules);
  }
  if (mutation.event === 'watch:remove') {
    markRemoved(state, mutation.request.videoId, at, deviceId);
    return decideWatchRemove(state.watch, mutation.request.videoId);
  }
  assertNotFrozen(state.freeze, at);
  const decision = decideCart(state.cart, mutation);
  if (!decision.ok) throw new SyncError(decision.error.code, decision.error.message);
  return decision.op;
}
