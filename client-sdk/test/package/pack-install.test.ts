/**
 * The SDK as a team consumes it: `npm pack` (which builds it through `prepack`), the tarball installed into an app
 * outside the repo, then an ES module script, a CommonJS `require` and `tsc` under node16, node10 and bundler
 * resolution, all against the installed copy. Dependencies come from the npm cache when it has them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CJS_SCRIPT, ESM_SCRIPT, TYPED_SOURCE, tsconfigFor, type Resolution } from './consumer-app.ts';

const SDK_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const requireFromRepo = createRequire(join(REPO_ROOT, 'package.json'));
const TSC = requireFromRepo.resolve('typescript/bin/tsc');
// A bound, not a target: `npm pack` (two builds with declarations) took 99 s on this machine at load 23, ~20 s of CPU.
const STEP_TIMEOUT_MS = 240_000;

/** npm's own variables from an enclosing `npm run` (workspace, prefix, lifecycle) would steer the nested npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') || keep.has(key)));
}

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(requireFromRepo.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let work: string;
let app: string;
let packed: PackResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tandem-pack-'));
  app = join(work, 'app');
  const output = await run('npm', ['pack', '--json', '--pack-destination', work], SDK_DIR);
  const [result] = JSON.parse(output.slice(output.indexOf('['))) as PackResult[];
  if (!result) throw new Error(`npm pack printed no result: ${output}`);
  packed = result;

  rmSync(app, { recursive: true, force: true });
  await run('mkdir', ['-p', app], work);
  const manifest = {
    name: 'tandem-pack-check',
    private: true,
    type: 'module',
    dependencies: {
      '@tandem/client': `file:${join(work, packed.filename)}`,
      // The versions the repo uses, so the npm cache usually has them.
      react: installedVersion('react'),
      '@types/react': installedVersion('@types/react'),
    },
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(app, 'esm.mjs'), ESM_SCRIPT);
  writeFileSync(join(app, 'cjs.cjs'), CJS_SCRIPT);
  writeFileSync(join(app, 'app.ts'), TYPED_SOURCE);
  writeFileSync(join(app, 'app-cjs.cts'), TYPED_SOURCE);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], app);
}, 4 * STEP_TIMEOUT_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed SDK', { timeout: STEP_TIMEOUT_MS }, () => {
  it('ships both builds, their types, the license and no sources', () => {
    const paths = packed.files.map((file) => file.path);
    for (const required of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/cjs/package.json',
      ...['esm', 'cjs'].flatMap((format) =>
        ['index', 'react/index', 'protocol/index'].flatMap((entry) => [`dist/${format}/${entry}.js`, `dist/${format}/${entry}.d.ts`]),
      ),
    ]) {
      expect(paths).toContain(required);
    }
    expect(paths.filter((path) => path.startsWith('src/') || path.startsWith('test/') || path.startsWith('scripts/'))).toEqual([]);
  });

  it('has source maps that carry their own sources', () => {
    const installed = join(app, 'node_modules', '@tandem', 'client');
    const maps = packed.files.map((file) => file.path).filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(parsed.sourcesContent?.length, map).toBe(parsed.sources.length);
      expect(parsed.sourcesContent?.every((text) => typeof text === 'string' && text.length > 0), map).toBe(true);
    }
  });

  it("keeps 'use client' as the first statement of the React entry in both builds", () => {
    const installed = join(app, 'node_modules', '@tandem', 'client', 'dist');
    for (const format of ['esm', 'cjs']) {
      const statements = readFileSync(join(installed, format, 'react', 'index.js'), 'utf8').split('\n').filter((line) => line.trim() !== '');
      const directives = statements.slice(0, 2).map((line) => line.replace(/["';]/g, ''));
      expect(directives[0] === 'use client' || (directives[0] === 'use strict' && directives[1] === 'use client'), format).toBe(true);
    }
  });

  const expected = { lines: 1, totalCents: 2598, pending: 1, parsedQty: 2, reactHooks: ['function', 'function'] };

  it('runs from an ES module script through all three entry points', async () => {
    const result = JSON.parse(await run(process.execPath, ['esm.mjs'], app)) as Record<string, unknown>;
    expect(result).toMatchObject(expected);
    expect(typeof result['protocolVersion']).toBe('number');
  });

  it('runs from CommonJS require through all three entry points', async () => {
    const result = JSON.parse(await run(process.execPath, ['cjs.cjs'], app)) as Record<string, unknown>;
    expect(result).toMatchObject(expected);
    expect(readdirSync(join(app, 'node_modules', '@tandem', 'client', 'dist', 'cjs'))).toContain('index.js');
  });

  const modes: [Resolution, string[]][] = [
    ['node16', ['app.ts', 'app-cjs.cts']],
    ['node10', ['app.ts']],
    ['bundler', ['app.ts']],
  ];
  it.each(modes)('type-checks under moduleResolution %s', async (resolution, files) => {
    const project = `tsconfig.${resolution}.json`;
    writeFileSync(join(app, project), tsconfigFor(resolution, files));
    await expect(run(process.execPath, [TSC, '-p', project], app)).resolves.toBe('');
  });
});
