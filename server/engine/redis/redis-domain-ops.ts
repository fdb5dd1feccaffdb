import { LIMITS, type CartLine, type Change, type WatchEntry } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines, sortWatchEntries } from '../../../client-sdk/src/rules/index.ts';
import { planMerge } from '../../domain/merge.ts';
import { SyncError } from '../../errors.ts';
import { StateRefusal } from '../backend.ts';
import type { DomainOps, MergeResult, Precondition } from '../domain-ops.ts';
import type { FanoutEnvelope } from '../engine.ts';
import { MERGE_MARKER_MS, MERGE_MARKERS_MAX } from '../merge-markers.ts';
import { hookKeys, userKeys, withEveryKey, type UserKeys } from './keys.ts';
import type { ScriptName } from './scripts.ts';

export interface RedisDomainDeps {
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** A candidate epoch for a user whose meta is missing. */
  random(): string;
  /** The wanted webhook events for a write of the user, and the hint once it committed. */
  hooksFor(userId: string): { hooks: string; done: () => void };
}

/** Reads of the account and re-plans when it moved between the read and the apply; past this, `unavailable`. */
const MERGE_ATTEMPTS = 8;

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).map(String);
const publishArgs = (fanout?: FanoutEnvelope) => (fanout ? [fanout.channel, fanout.prefix, fanout.suffix] : ['', '', '']);
const parseLines = (value: unknown) => sortCartLines(strings(value).map((raw) => JSON.parse(raw) as CartLine));
const ifMatchArgs = (request: Precondition) => (request.ifMatch ? [request.ifMatch.epoch, request.ifMatch.version] : ['', 0]);
const movedOn = (current: { epoch: string; version: number }) =>
  new StateRefusal('precondition_failed', 'the user moved on from the version in If-Match', current);
const parseEntries = (value: unknown) => sortWatchEntries(strings(value).map((raw) => JSON.parse(raw) as WatchEntry));
/** Every key of the user with `first` in front, then the outbox keys (the scripts that record events read them last). */
const recordingKeys = (userId: string, k: UserKeys, first: readonly string[]) => {
  const h = hookKeys(userId);
  return [...withEveryKey(k, first), h.outbox, h.state];
};

interface ReadState {
  exists: boolean;
  epoch: string;
  version: number;
  cart: CartLine[];
  watch: WatchEntry[];
  marked: boolean;
}

/** The Redis engine's checkout and merge (scripts checkout.lua, merge-read.lua, merge-apply.lua). */
export function createRedisDomainOps(deps: RedisDomainDeps): DomainOps {
  const { run } = deps;
  const read = async (k: UserKeys, create: boolean, guestId: string): Promise<ReadState> => {
    const [exists, epoch, version, cart, watch, marked] = list(
      await run('mergeRead', [k.meta, k.cart, k.watch, k.merges], [create ? deps.random() : '', guestId]),
    );
    return {
      exists: Number(exists) === 1,
      epoch: String(epoch),
      version: Number(version),
      cart: parseLines(cart),
      watch: parseEntries(watch),
      marked: Number(marked) === 1,
    };
  };

  return {
    async freezeCart(userId, request, writer, fanout) {
      const k = userKeys(userId);
      const h = deps.hooksFor(userId);
      const args = ['freeze', request.checkoutId, request.ttlMs, writer.writerId, deps.random(), LIMITS.changeLog, ...publishArgs(fanout), writer.retentionMs ?? 0, ...ifMatchArgs(request), h.hooks];
      const [status, epoch, version, expires, cart, change, published] = list(await run('checkout', recordingKeys(userId, k, [k.meta, k.log, k.cart]), args));
      if (status === 'moved') throw movedOn({ epoch: String(epoch), version: Number(version) });
      const result = {
        epoch: String(epoch),
        version: Number(version),
        freeze: { checkoutId: request.checkoutId, expiresAt: Number(expires) },
        cart: parseLines(cart),
      };
      if (status === 'repeat') return result;
      return { ...result, change: JSON.parse(String(change)) as Change, published: Number(published) === 1 };
    },

    async endCheckout(userId, request, writer, fanout) {
      const k = userKeys(userId);
      const h = deps.hooksFor(userId);
      const args = [request.outcome, request.checkoutId, 0, writer.writerId, deps.random(), LIMITS.changeLog, ...publishArgs(fanout), writer.retentionMs ?? 0, ...ifMatchArgs(request), h.hooks];
      const [status, epoch, version, change, published] = list(await run('checkout', recordingKeys(userId, k, [k.meta, k.log, k.cart]), args));
      if (status === 'moved') throw movedOn({ epoch: String(epoch), version: Number(version) });
      h.done();
      const result = { epoch: String(epoch), version: Number(version) };
      if (status === 'repeat') return result;
      return { ...result, change: JSON.parse(String(change)) as Change, published: Number(published) === 1 };
    },

    async mergeInto(userId, request, writer, fanout): Promise<MergeResult> {
      if (request.fromUserId === userId) throw new SyncError('bad_request', 'a user cannot be merged into itself');
      const a = userKeys(userId);
      const g = userKeys(request.fromUserId);
      const hooks = deps.hooksFor(userId);
      for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt += 1) {
        // The account first: once its marker exists the guest may already be erased (step 3 of an earlier try).
        const account = await read(a, true, request.fromUserId);
        const done = (at: ReadState): MergeResult => ({ epoch: at.epoch, version: at.version, duplicate: true, cart: at.cart, watch: at.watch, dropped: [] });
        if (account.marked) return done(account);
        const want = request.ifMatch;
        if (want && (want.epoch !== account.epoch || want.version !== account.version)) throw movedOn(account);
        const guest = await read(g, false, '');
        if (!guest.exists) throw new SyncError('not_found', `no user ${request.fromUserId}`);
        const accountMaps = {
          cart: new Map(account.cart.map((l) => [l.sku, l])),
          watch: new Map(account.watch.map((e) => [e.videoId, e])),
        };
        const plan = planMerge(accountMaps, guest, request);
        const op = JSON.stringify({ type: 'merge', cart: plan.cart, watch: plan.watch, trimmed: plan.trimmed });
        const args = [
          request.fromUserId, account.epoch, account.version, writer.writerId, LIMITS.changeLog, MERGE_MARKER_MS, MERGE_MARKERS_MAX, op,
          plan.cart.length, ...plan.cart.flatMap((l) => [l.sku, JSON.stringify(l)]),
          plan.watch.length, ...plan.watch.flatMap((e) => [e.videoId, JSON.stringify(e), e.updatedAt]),
          plan.trimmed.length, ...plan.trimmed,
          hooks.hooks,
          writer.retentionMs ?? 0,
          ...publishArgs(fanout),
        ];
        const reply = list(await run('mergeApply', recordingKeys(userId, a, [a.meta, a.log, a.cart, a.watch, a.watchz, a.merges]), args));
        if (reply[0] === 'ok') hooks.done();
        if (reply[0] === 'moved') continue;
        if (reply[0] === 'dup') return done(await read(a, true, ''));
        const watch = new Map(accountMaps.watch);
        for (const id of plan.trimmed) watch.delete(id);
        for (const entry of plan.watch) watch.set(entry.videoId, entry);
        return {
          epoch: String(reply[1]),
          version: Number(reply[2]),
          duplicate: false,
          cart: plan.cart,
          watch: sortWatchEntries(watch.values()),
          dropped: plan.dropped,
          change: JSON.parse(String(reply[3])) as Change,
          published: Number(reply[4]) === 1,
        };
      }
      throw new SyncError('unavailable', 'the account kept changing during the merge; retry');
    },
  };
}
