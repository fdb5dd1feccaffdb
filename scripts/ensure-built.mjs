// @ts-check
/**
 * Builds what `npm start` and `npm run demo` run, when it is missing or older than its sources: the compiled
 * server (dist/server.js) and the demo page (demo/public/build/app.js). Plain JavaScript, so a start with
 * fresh builds costs no TypeScript compilation. Each build lists its inputs in dist/*.inputs.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const targets = [
  { name: 'server', bundle: 'dist/server.js', inputs: 'dist/server.inputs.json', build: ['scripts/build-server.ts'] },
  // `--soft`: a broken demo page must not keep the gateway from starting.
  { name: 'demo page', bundle: 'demo/public/build/app.js', inputs: 'dist/demo-page.inputs.json', build: ['demo/build.ts', '--soft'] },
];

/** @param {string} path */
function mtime(path) {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return null;
  }
}

/** @param {{ bundle: string, inputs: string }} target @returns {string | null} why it must be built, or null */
function staleness(target) {
  const built = mtime(target.bundle);
  if (built === null) return 'not built yet';
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, target.inputs), 'utf8'));
  } catch {
    return 'no list of its inputs';
  }
  for (const input of inputs) {
    const changed = mtime(input);
    if (changed === null) return `${input} is gone`;
    if (changed > built) return `${input} changed`;
  }
  return null;
}

for (const target of targets) {
  const reason = staleness(target);
  if (reason === null) continue;
  process.stdout.write(`building the ${target.name} (${reason})\n`);
  execFileSync(process.execPath, ['--import', 'tsx', ...target.build], { cwd: root, stdio: 'inherit' });
}
