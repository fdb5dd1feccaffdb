// @ts-check
/**
 * Builds the package: ES modules (dist/esm) and CommonJS (dist/cjs), each with its own `.d.ts`, and source maps
 * that carry their sources (src/ is not shipped). Run by `npm run build` and by `prepack` (so `npm pack` and `npm publish` always ship a fresh build).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

rmSync(dist(''), { recursive: true, force: true });
// The ES module build type-checks; the CommonJS one emits the same sources unchecked (half the build time).
for (const args of [['-p', 'tsconfig.build.json'], ['-p', 'tsconfig.build-cjs.json', '--noCheck']]) {
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
}
// The package is `"type": "module"`: this marker makes Node (and TypeScript under node16) read dist/cjs as CommonJS.
writeFileSync(dist('cjs/package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// Next.js needs the directive as the module's first statement; tsc keeps it, this checks that it still does.
for (const entry of ['esm/react/index.js', 'cjs/react/index.js']) {
  const text = readFileSync(dist(entry), 'utf8');
  const firstStatements = text.split('\n').slice(0, 2).join('\n');
  if (!/^(?:"use strict";\n)?["']use client["'];/.test(firstStatements)) {
    throw new Error(`dist/${entry} lost its 'use client' directive`);
  }
}
process.stdout.write('client-sdk built: dist/esm (ES modules), dist/cjs (CommonJS), with .d.ts\n');
