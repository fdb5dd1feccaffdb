import { LIMITS, type Change, type Mutation, type WatchRules } from '../../../client-sdk/src/protocol/index.ts';
import type { Actor, FanoutEnvelope, RateLimit, StoreMutationResult } from '../engine.ts';
import { hookKeys, userKeys, withEveryKey } from './keys.ts';
import type { ScriptName } from './scripts.ts';

/** One mutation as a script call: which script, its keys and its ARGV. */
export interface MutationCall {
  script: ScriptName;
  keys: string[];
  args: (string | number)[];
}

/** The resume rules as one script argument (parse_rules in scripts/resume-rules.lua). */
export function encodeWatchRules(rules: WatchRules): string {
  return [rules.minResumePct, rules.maxResumePct, rules.minDurationSec, rules.creditsSec].map(String).join(',');
}

/** Arguments of a mutation script after the gate's, in the order the script reads them (ARGV[9..]). */
function requestArgs(mutation: Mutation, watchRules: string): { script: ScriptName; args: (string | number)[] } {
  switch (mutation.event) {
    case 'cart:add': {
      const r = mutation.request;
      const attributes = r.attributes ? JSON.stringify(r.attributes) : '';
      return {
        script: 'mutateCart',
        args: ['add', r.sku, r.qty, r.title, r.priceCents, LIMITS.cartLines, LIMITS.qtyMax, r.currency ?? '', attributes],
      };
    }
    case 'cart:set':
      return { script: 'mutateCart', args: ['set', mutation.request.sku, mutation.request.qty, '', 0, LIMITS.cartLines, LIMITS.qtyMax, '', ''] };
    case 'cart:remove':
      return { script: 'mutateCart', args: ['remove', mutation.request.sku, 0, '', 0, LIMITS.cartLines, LIMITS.qtyMax, '', ''] };
    case 'cart:clear':
      return { script: 'mutateCart', args: ['clear', '', 0, '', 0, LIMITS.cartLines, LIMITS.qtyMax, '', ''] };
    case 'watch:remove':
      return { script: 'mutateWatchRemove', args: [mutation.request.videoId, LIMITS.watchEntries] };
    case 'watch:report': {
      const r = mutation.request;
      return {
        script: 'mutateWatch',
        args: [r.videoId, String(r.positionSec), String(r.durationSec), r.at, r.kind, LIMITS.watchEntries, watchRules],
      };
    }
  }
}

/** What every mutation call of a request shares besides its actor. */
export interface CallContext {
  rateLimit: RateLimit;
  fanout: FanoutEnvelope | undefined;
  /** Names a new epoch should the user have none (see ensure_meta in prelude.lua). */
  epochCandidate: string;
  /** encodeWatchRules of the engine's rules. */
  watchRules: string;
  /** The webhook events wanted now ('' for none; see outbox.lua). */
  hooks: string;
}

/** The script call of one (validated) mutation. */
export function mutationCall(actor: Actor, mutation: Mutation, { rateLimit, fanout, epochCandidate, watchRules, hooks }: CallContext): MutationCall {
  const k = userKeys(actor.userId);
  const { script, args } = requestArgs(mutation, watchRules);
  const first = [k.meta, k.log, k.seq, k.conn, k.revoked, script === 'mutateCart' ? k.cart : k.watch];
  if (script !== 'mutateCart') first.push(k.watchz, k.watchgone);
  // Every key of the user follows, so the script keeps them all for the user's retention.
  const h = hookKeys(actor.userId);
  const keys = [...withEveryKey(k, first), h.outbox, h.state];
  const gate = [actor.deviceId, actor.connId, actor.issuedAt, String(mutation.request.seq), rateLimit.perSecond, rateLimit.burst, epochCandidate, LIMITS.changeLog];
  const publish = [hooks, actor.retentionMs ?? 0, ...(fanout ? [fanout.channel, fanout.prefix, fanout.suffix] : ['', '', ''])];
  return { script, keys, args: [...gate, ...args, ...publish] };
}

/**
 * The keys and ARGV of `mutateBatch` (scripts/mutate-batch.lua): every key once, then per mutation its script,
 * its key count and key positions, its arg count and args.
 */
export function encodeBatch(calls: readonly MutationCall[]): { keys: string[]; args: (string | number)[] } {
  const keys: string[] = [];
  const position = new Map<string, number>();
  const args: (string | number)[] = [];
  for (const call of calls) {
    args.push(call.script, call.keys.length);
    for (const key of call.keys) {
      let at = position.get(key);
      if (at === undefined) {
        keys.push(key);
        at = keys.length;
        position.set(key, at);
      }
      args.push(at);
    }
    args.push(call.args.length, ...call.args);
  }
  return { keys, args };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The reply of a mutation script: `{'dup', epoch, version, logged change or ''}` or `{'ok', change, published}`. */
export function parseMutationReply(value: unknown): StoreMutationResult {
  const reply = strings(value);
  if (reply[0] === 'dup') {
    const logged = reply[3] ?? '';
    const result = { epoch: reply[1] ?? '', version: Number(reply[2]), duplicate: true };
    return logged === '' ? result : { ...result, unpushed: JSON.parse(logged) as Change };
  }
  const change = JSON.parse(reply[1] ?? '') as Change;
  return { epoch: change.epoch, version: change.version, duplicate: false, change, published: reply[2] === '1' };
}

/** An error as a refusing script answers it, so the caller maps it like any other reply error. */
class ScriptRefusal extends Error {
  override name = 'ReplyError';
}

/** The reply of `mutateBatch`: the applied mutations' replies, and the refusal of the next one (null for none). */
export function parseBatchReply(value: unknown): { results: StoreMutationResult[]; refusal: Error | null } {
  const [replies, refusal] = Array.isArray(value) ? (value as unknown[]) : [];
  const results = (Array.isArray(replies) ? replies : []).map(parseMutationReply);
  return { results, refusal: typeof refusal === 'string' && refusal !== '' ? new ScriptRefusal(refusal) : null };
}
