/**
 * Installs the system programs the tests need (redis-server, chromium) when they are missing and we can
 * (root with apt-get, as on CI); otherwise prints the one line that installs them and exits 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED: Array<{ bin: string; pkg: string; why: string }> = [
  { bin: 'redis-server', pkg: 'redis-server', why: 'tests run against a real Redis' },
  { bin: 'chromium', pkg: 'chromium', why: 'the demo browser test drives Chromium' },
];

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const missing = NEEDED.filter((n) => !has(n.bin));

if (missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.pkg).join(' ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  for (const m of missing) console.error(`missing ${m.bin} (${m.why})`);
  console.error(`install with: sudo apt-get install -y ${packages}`);
  process.exit(1);
}
console.log(`installing ${packages} with apt-get…`);
execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages} >/dev/null`], {
  stdio: 'inherit',
});
