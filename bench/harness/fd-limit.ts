import { spawnSync } from 'node:child_process';

export interface FdLimits {
  soft: number;
  hard: number;
}

/** The open-file limits this process hands to its children (`ulimit -Sn` / `-Hn`). */
export function readFdLimits(): FdLimits {
  const read = (flag: string) => {
    const out = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim();
    return out === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(out) || 1024;
  };
  return { soft: read('-Sn'), hard: read('-Hn') };
}

/**
 * The command that runs `argv` with at least `needed` open files: unchanged when the soft limit already
 * allows it, otherwise through `sh -c 'ulimit -n …; exec …'` (exec keeps the pid), raised as far as the
 * hard limit allows. `granted` says what the child will get.
 */
export function withFdLimit(argv: readonly string[], needed: number, limits: FdLimits): { argv: string[]; granted: number } {
  if (limits.soft >= needed) return { argv: [...argv], granted: limits.soft };
  const target = Math.min(needed, limits.hard);
  if (target <= limits.soft) return { argv: [...argv], granted: limits.soft };
  return { argv: ['sh', '-c', `ulimit -n ${target} && exec "$0" "$@"`, ...argv], granted: target };
}
