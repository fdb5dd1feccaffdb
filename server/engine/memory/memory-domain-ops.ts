import { sortCartLines, sortWatchEntries } from '../../../client-sdk/src/rules/index.ts';
import { planEnd, planFreeze } from '../../domain/checkout.ts';
import { planMerge } from '../../domain/merge.ts';
import { SyncError } from '../../errors.ts';
import { StateRefusal } from '../backend.ts';
import type { DomainOps, MergeResult, Precondition } from '../domain-ops.ts';
import { MERGE_MARKER_MS, MERGE_MARKERS_MAX } from '../merge-markers.ts';
import type { MemoryOutbox } from './memory-outbox.ts';
import { commitChange, type UserState } from './user-state.ts';

export interface MemoryDomainDeps {
  now: () => number;
  /** The user's state, created when missing. */
  user(userId: string): UserState;
  /** The user's state, or undefined when the user has none. */
  peek(userId: string): UserState | undefined;
  retain(state: UserState, retentionMs: number | undefined, now: number): void;
  /** Where the webhook events of a commit are recorded, in the same synchronous step. */
  outbox: MemoryOutbox;
}

function checkPrecondition(state: UserState, request: Precondition): void {
  const want = request.ifMatch;
  if (want && (want.epoch !== state.epoch || want.version !== state.version)) {
    throw new StateRefusal('precondition_failed', 'the user moved on from the version in If-Match', { epoch: state.epoch, version: state.version });
  }
}

/** The memory engine's checkout and merge: each call runs without an await, so it is atomic like a script. */
export function createMemoryDomainOps(deps: MemoryDomainDeps): DomainOps {
  const cartOf = (state: UserState) => sortCartLines(state.cart.values()).map((l) => structuredClone(l));
  return {
    async freezeCart(userId, request, writer) {
      const state = deps.peek(userId);
      if (!state) throw new SyncError('not_found', `no user ${userId}`);
      const at = deps.now();
      if (planFreeze(state.freeze, request.checkoutId, at, state.cart.size) === 'repeat' && state.freeze) {
        return { epoch: state.epoch, version: state.version, freeze: { ...state.freeze }, cart: cartOf(state) };
      }
      checkPrecondition(state, request);
      deps.retain(state, writer.retentionMs, at);
      const freeze = { checkoutId: request.checkoutId, expiresAt: at + request.ttlMs };
      const change = commitChange(state, writer.writerId, state.version + 1, at, { type: 'cart:freeze', freeze });
      return { epoch: state.epoch, version: state.version, change: structuredClone(change), freeze: { ...freeze }, cart: cartOf(state) };
    },

    async endCheckout(userId, request, writer) {
      const state = deps.peek(userId);
      if (!state) throw new SyncError('not_found', `no checkout ${request.checkoutId}`);
      const at = deps.now();
      if (planEnd(state.freeze, state.checkoutEnd, request.checkoutId, request.outcome, at) === 'repeat') {
        return { epoch: state.epoch, version: state.version };
      }
      checkPrecondition(state, request);
      deps.retain(state, writer.retentionMs, at);
      const op = { type: 'cart:unfreeze', checkoutId: request.checkoutId, cleared: request.outcome === 'complete' } as const;
      const change = commitChange(state, writer.writerId, state.version + 1, at, op);
      deps.outbox.change(userId, change, false);
      state.checkoutEnd = { checkoutId: request.checkoutId, outcome: request.outcome };
      return { epoch: state.epoch, version: state.version, change: structuredClone(change) };
    },

    async mergeInto(userId, request, writer): Promise<MergeResult> {
      if (request.fromUserId === userId) throw new SyncError('bad_request', 'a user cannot be merged into itself');
      const at = deps.now();
      const account = deps.user(userId);
      for (const [guest, when] of account.merges) if (when <= at - MERGE_MARKER_MS) account.merges.delete(guest);
      const answer = (duplicate: boolean, dropped: string[], change?: MergeResult['change']): MergeResult => ({
        epoch: account.epoch,
        version: account.version,
        duplicate,
        cart: cartOf(account),
        watch: sortWatchEntries(account.watch.values()).map((e) => ({ ...e })),
        dropped,
        ...(change ? { change: structuredClone(change) } : {}),
      });
      if (account.merges.has(request.fromUserId)) return answer(true, []);
      checkPrecondition(account, request);
      const guest = deps.peek(request.fromUserId);
      if (!guest) throw new SyncError('not_found', `no user ${request.fromUserId}`);
      if (account.freeze && at < account.freeze.expiresAt) {
        throw new SyncError('frozen', `the account's cart is frozen for checkout ${account.freeze.checkoutId}`);
      }
      const plan = planMerge(account, { cart: [...guest.cart.values()], watch: [...guest.watch.values()] }, request);
      const op = { type: 'merge', cart: plan.cart, watch: plan.watch, trimmed: plan.trimmed } as const;
      const change = commitChange(account, writer.writerId, account.version + 1, at, op);
      deps.outbox.record(userId, 'user.merged', at, change.version, { fromUserId: request.fromUserId });
      deps.outbox.record(userId, 'cart.updated', at, change.version, {}, 'cart');
      deps.retain(account, writer.retentionMs, at);
      // Map order is insertion order, i.e. oldest marker first.
      while (account.merges.size >= MERGE_MARKERS_MAX) account.merges.delete(account.merges.keys().next().value ?? '');
      account.merges.set(request.fromUserId, at);
      return answer(false, plan.dropped, change);
    },
  };
}
