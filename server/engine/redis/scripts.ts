import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { HOOK_KEY_COUNT, USER_KEY_COUNT, userKeys } from './keys.ts';

const SCRIPT_DIR = new URL('./scripts/', import.meta.url);
/** The erase script takes every key of the user (devices first, then all of userKeys). */
const ERASE_KEYS = 1 + Object.keys(userKeys('')).length + HOOK_KEY_COUNT;
/** A script that records webhook events takes the user's outbox keys last (see outbox.lua). */
const WITH_OUTBOX = USER_KEY_COUNT + HOOK_KEY_COUNT;

/**
 * Each script: its file, the shared fragments prepended to it, and its fixed number of keys. Scripts that
 * write a user's state take every key of the user (those they read first, by position; see withEveryKey) so
 * that they keep them all for the user's retention.
 */
const SCRIPTS = {
  mutateCart: { file: 'mutate-cart.lua', preludes: ['prelude.lua', 'history.lua', 'outbox.lua', 'mutation-prelude.lua'], keys: WITH_OUTBOX },
  mutateWatch: { file: 'mutate-watch.lua', preludes: ['prelude.lua', 'history.lua', 'outbox.lua', 'mutation-prelude.lua', 'resume-rules.lua'], keys: WITH_OUTBOX },
  sync: { file: 'sync.lua', preludes: ['prelude.lua', 'history.lua', 'sync-prelude.lua'], keys: 4 },
  resume: { file: 'resume.lua', preludes: ['prelude.lua', 'history.lua', 'sync-prelude.lua'], keys: 6 },
  readDevices: { file: 'read-devices.lua', preludes: ['prelude.lua'], keys: 3 },
  connect: { file: 'connect.lua', preludes: ['prelude.lua', 'outbox.lua'], keys: 7 },
  disconnect: { file: 'disconnect.lua', preludes: ['prelude.lua', 'outbox.lua'], keys: 4 },
  touch: { file: 'touch.lua', preludes: ['prelude.lua'], keys: 2 },
  sweepUser: { file: 'sweep-user.lua', preludes: ['prelude.lua'], keys: 2 },
  presenceStale: { file: 'presence-stale.lua', preludes: ['prelude.lua'], keys: 1 },
  presencePrune: { file: 'presence-prune.lua', preludes: [], keys: 1 },
  revoke: { file: 'revoke.lua', preludes: ['prelude.lua'], keys: USER_KEY_COUNT },
  takeRate: { file: 'take-rate.lua', preludes: ['prelude.lua'], keys: 1 },
  mutateWatchRemove: { file: 'mutate-watch-remove.lua', preludes: ['prelude.lua', 'history.lua', 'outbox.lua', 'mutation-prelude.lua'], keys: WITH_OUTBOX },
  checkout: { file: 'checkout.lua', preludes: ['prelude.lua', 'history.lua', 'outbox.lua', 'backend-prelude.lua'], keys: WITH_OUTBOX },
  mergeRead: { file: 'merge-read.lua', preludes: ['prelude.lua', 'history.lua'], keys: 4 },
  // Every key of one user, however many userKeys() names.
  retain: { file: 'retain.lua', preludes: ['prelude.lua'], keys: USER_KEY_COUNT },
  mergeApply: { file: 'merge-apply.lua', preludes: ['prelude.lua', 'outbox.lua', 'backend-prelude.lua'], keys: WITH_OUTBOX },
  backendRead: { file: 'backend-read.lua', preludes: ['prelude.lua', 'history.lua'], keys: 5 },
  backendChanges: { file: 'backend-changes.lua', preludes: ['prelude.lua', 'history.lua'], keys: 3 },
  backendWrite: { file: 'backend-write.lua', preludes: ['prelude.lua', 'history.lua', 'resume-rules.lua', 'outbox.lua'], keys: WITH_OUTBOX },
  backendIdempotency: { file: 'backend-idempotency.lua', preludes: ['prelude.lua'], keys: 2 },
  backendErase: { file: 'backend-erase.lua', preludes: ['prelude.lua', 'outbox.lua'], keys: ERASE_KEYS },
  outboxSeal: { file: 'outbox-seal.lua', preludes: ['prelude.lua'], keys: 4 },
  outboxTrim: { file: 'outbox-trim.lua', preludes: [], keys: 3 },
  outboxRequeue: { file: 'outbox-requeue.lua', preludes: [], keys: 2 },
  outboxLease: { file: 'outbox-lease.lua', preludes: [], keys: 1 },
} as const;

/** The scripts `mutateBatch` can run, each as a function of its KEYS and ARGV (see mutate-batch.lua). */
const BATCHABLE = ['mutateCart', 'mutateWatch', 'mutateWatchRemove'] as const satisfies readonly (keyof typeof SCRIPTS)[];

export type ScriptName = keyof typeof SCRIPTS | 'mutateBatch';
type Arg = string | number;
export type ScriptRunner = (name: ScriptName, keys: readonly string[], args: readonly Arg[]) => Promise<unknown>;
/**
 * Runs a script and then `WAIT replicas timeoutMs` in one pipeline, so both go over the same connection (WAIT
 * counts the replicas that have this connection's writes) to the node owning the keys' slot, in one round trip.
 * Resolves with the script's reply and how many replicas acknowledged it.
 */
export type ReplicatedScriptRunner = (
  name: ScriptName,
  keys: readonly string[],
  args: readonly Arg[],
  wait: { replicas: number; timeoutMs: number },
) => Promise<{ reply: unknown; replicas: number }>;

function source(file: string): string {
  return readFileSync(new URL(file, SCRIPT_DIR), 'utf8');
}

type ScriptCommand = (...args: Arg[]) => Promise<unknown>;

function scriptSource(name: keyof typeof SCRIPTS): string {
  const spec = SCRIPTS[name];
  return [...spec.preludes, spec.file].map(source).join('\n');
}

/**
 * The batch script: each batchable script whole (preludes and body) as a function whose parameters shadow
 * KEYS and ARGV, so its top-level `return` answers for one mutation, then the loop that calls them.
 */
function batchSource(): string {
  const bodies = BATCHABLE.map((name) => `MUTATIONS.${name} = function(KEYS, ARGV)\n${scriptSource(name)}\nend`);
  return ['local MUTATIONS = {}', ...bodies, source('mutate-batch.lua')].join('\n');
}

/**
 * Reads the scripts once and registers them with ioredis' `defineCommand`, which sends EVALSHA
 * (falling back to EVAL once per connection when the script is not cached, e.g. after a Redis restart).
 */
export function defineScripts(redis: Redis | Cluster): ScriptRunner & { replicated: ReplicatedScriptRunner } {
  const commands = new Map<ScriptName, ScriptCommand>();
  const define = (name: ScriptName, lua: string, numberOfKeys: number | undefined) => {
    const command = `tandem_${name}`;
    redis.defineCommand(command, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
    const fn: unknown = Reflect.get(redis, command);
    if (typeof fn !== 'function') throw new Error(`ioredis did not define ${command}`);
    commands.set(name, (...args) => (fn as ScriptCommand).apply(redis, args));
  };
  for (const name of Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[]) define(name, scriptSource(name), SCRIPTS[name].keys);
  define('mutateBatch', batchSource(), undefined);
  // The batch script has no fixed key count: ioredis takes it as the first argument.
  const argv = (name: ScriptName, keys: readonly string[], args: readonly Arg[]): Arg[] =>
    name === 'mutateBatch' ? [keys.length, ...keys, ...args] : [...keys, ...args];
  const runner: ScriptRunner = (name, keys, args) => {
    const run = commands.get(name);
    if (!run) throw new Error(`unknown script ${name}`);
    return run(...argv(name, keys, args));
  };
  const replicated: ReplicatedScriptRunner = async (name, keys, args, wait) => {
    const pipeline = redis.pipeline();
    const queue: unknown = Reflect.get(pipeline, `tandem_${name}`);
    if (typeof queue !== 'function') throw new Error(`ioredis did not define tandem_${name} on pipelines`);
    (queue as (...a: Arg[]) => unknown).apply(pipeline, argv(name, keys, args));
    pipeline.call('WAIT', String(wait.replicas), String(wait.timeoutMs));
    const results = (await pipeline.exec()) ?? [];
    const [scriptErr, reply] = results[0] ?? [new Error('empty pipeline answer'), null];
    if (scriptErr) throw scriptErr;
    const [waitErr, acked] = results[1] ?? [new Error('no WAIT answer'), null];
    if (waitErr) throw waitErr;
    return { reply, replicas: Number(acked) };
  };
  return Object.assign(runner, { replicated });
}
