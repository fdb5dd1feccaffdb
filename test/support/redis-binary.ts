import { spawnSync } from 'node:child_process';

/** Debian package that ships each program the kit starts (scripts/install-system-deps.sh installs them). */
const PACKAGE_OF: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'redis-sentinel': 'redis-sentinel',
  chromium: 'chromium',
  haproxy: 'haproxy',
  promtool: 'prometheus',
};

/**
 * Path of a system program the tests need. It never installs anything: when the program is missing it
 * stops with the line that installs it (`npm run setup:system` runs scripts/install-system-deps.sh).
 */
export function systemBinary(bin: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  const pkg = PACKAGE_OF[bin] ?? bin;
  throw new Error(`${bin} is not installed: run \`npm run setup:system\` (or \`sudo apt-get install -y ${pkg}\`) and try again`);
}

/** Path of redis-server (see systemBinary). */
export function ensureRedisBinary(): string {
  return systemBinary('redis-server');
}
