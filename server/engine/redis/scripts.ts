import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

const SCRIPT_DIR = new URL('./scripts/', import.meta.url);

/** Each script: its file, the shared fragments prepended to it, and its fixed number of keys. */
const SCRIPTS = {
  mutateCart: { file: 'mutate-cart.lua', preludes: ['prelude.lua', 'history.lua', 'mutation-prelude.lua'], keys: 6 },
  mutateWatch: { file: 'mutate-watch.lua', preludes: ['prelude.lua', 'history.lua', 'mutation-prelude.lua'], keys: 7 },
  sync: { file: 'sync.lua', preludes: ['prelude.lua', 'history.lua', 'sync-prelude.lua'], keys: 4 },
  resume: { file: 'resume.lua', preludes: ['prelude.lua', 'history.lua', 'sync-prelude.lua'], keys: 5 },
  connect: { file: 'connect.lua', preludes: ['prelude.lua'], keys: 3 },
  disconnect: { file: 'disconnect.lua', preludes: ['prelude.lua'], keys: 2 },
  touch: { file: 'touch.lua', preludes: ['prelude.lua'], keys: 2 },
  sweepUser: { file: 'sweep-user.lua', preludes: ['prelude.lua'], keys: 2 },
  presenceStale: { file: 'presence-stale.lua', preludes: ['prelude.lua'], keys: 1 },
  presencePrune: { file: 'presence-prune.lua', preludes: [], keys: 1 },
  revoke: { file: 'revoke.lua', preludes: ['prelude.lua'], keys: 1 },
  takeRate: { file: 'take-rate.lua', preludes: ['prelude.lua'], keys: 1 },
  mutateWatchRemove: { file: 'mutate-watch-remove.lua', preludes: ['prelude.lua', 'history.lua', 'mutation-prelude.lua'], keys: 7 },
  checkout: { file: 'checkout.lua', preludes: ['prelude.lua', 'history.lua', 'backend-prelude.lua'], keys: 3 },
  mergeRead: { file: 'merge-read.lua', preludes: ['prelude.lua', 'history.lua'], keys: 4 },
  mergeApply: { file: 'merge-apply.lua', preludes: ['prelude.lua', 'backend-prelude.lua'], keys: 6 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;
export type ScriptRunner = (name: ScriptName, keys: readonly string[], args: readonly Arg[]) => Promise<unknown>;

function source(file: string): string {
  return readFileSync(new URL(file, SCRIPT_DIR), 'utf8');
}

type ScriptCommand = (...args: Arg[]) => Promise<unknown>;

/**
 * Reads the scripts once and registers them with ioredis' `defineCommand`, which sends EVALSHA
 * (falling back to EVAL once per connection when the script is not cached, e.g. after a Redis restart).
 */
export function defineScripts(redis: Redis | Cluster): ScriptRunner {
  const commands = new Map<ScriptName, ScriptCommand>();
  for (const [name, spec] of Object.entries(SCRIPTS) as [ScriptName, (typeof SCRIPTS)[ScriptName]][]) {
    const lua = [...spec.preludes, spec.file].map(source).join('\n');
    const command = `tandem_${name}`;
    redis.defineCommand(command, { lua, numberOfKeys: spec.keys });
    const fn: unknown = Reflect.get(redis, command);
    if (typeof fn !== 'function') throw new Error(`ioredis did not define ${command}`);
    commands.set(name, (...args) => (fn as ScriptCommand).apply(redis, args));
  }
  return (name, keys, args) => {
    const run = commands.get(name);
    if (!run) throw new Error(`unknown script ${name}`);
    return run(...keys, ...args);
  };
}
