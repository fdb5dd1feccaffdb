import { execFileSync, spawnSync } from 'node:child_process';

function which(bin: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/**
 * Path of redis-server. When it is missing, installs Debian's package if we are root with apt-get,
 * otherwise stops with the one line that fixes it.
 */
export function ensureRedisBinary(): string {
  const existing = which('redis-server');
  if (existing) return existing;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && which('apt-get')) {
    process.stderr.write('redis-server not found: installing it with apt-get (Debian package redis-server)\n');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null'], {
      stdio: 'inherit',
    });
    const installed = which('redis-server');
    if (installed) return installed;
  }
  throw new Error('redis-server is not installed: run `sudo apt-get install -y redis-server` (or `brew install redis`) and try again');
}
