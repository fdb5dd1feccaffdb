/**
 * Bundles the demo page (demo/src → demo/public/build/app.js) with esbuild.
 * Run by `npm run build`, `npm run build:demo`, by `npm start` and `npm run demo` when stale (scripts/ensure-built.mjs).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathToFileURL } from 'node:url';

export const DEMO_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = dirname(DEMO_DIR);
export const BUNDLE_FILE = join(DEMO_DIR, 'public', 'build', 'app.js');

export interface BuildResult {
  outfile: string;
  bytes: number;
}

export async function buildDemo(options: { minify?: boolean } = {}): Promise<BuildResult> {
  // esbuild ships with tsx (a runtime dependency), so this works without dev dependencies too.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(DEMO_DIR, 'src', 'main.tsx')],
    outfile: BUNDLE_FILE,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
    metafile: true,
    write: false,
  });
  // Write each file next to its place and rename it in: a node serving the folder never reads half a bundle.
  mkdirSync(dirname(BUNDLE_FILE), { recursive: true });
  let bytes = 0;
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    if (file.path === BUNDLE_FILE) bytes = file.contents.byteLength;
  }
  // What scripts/ensure-built.mjs compares with the sources to rebuild a stale page (node_modules left out).
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/')).sort();
  // Outside demo/public, which the gateway serves.
  const inputsFile = join(REPO_ROOT, 'dist', 'demo-page.inputs.json');
  mkdirSync(dirname(inputsFile), { recursive: true });
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, `${JSON.stringify(inputs, null, 1)}\n`);
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
  return { outfile: BUNDLE_FILE, bytes };
}

/** Builds the compiled server and the page when missing or older than their sources (scripts/ensure-built.mjs). */
export function ensureBuilt(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(REPO_ROOT, 'scripts', 'ensure-built.mjs')], { cwd: REPO_ROOT }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`build failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  buildDemo().then(
    (result) => process.stdout.write(`demo page built: ${result.outfile} (${Math.round(result.bytes / 1024)} KiB)\n`),
    (error: unknown) => {
      process.stderr.write(`demo page build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      // `--soft` (prestart): a broken demo bundle must not keep the gateway from starting.
      process.exit(process.argv.includes('--soft') ? 0 : 1);
    },
  );
}
