/**
 * Bundles the demo page (demo/src → demo/public/build/app.js) with esbuild.
 * Run by `npm run build:demo`, by `npm start` (prestart) and by `npm run demo`.
 */
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
  return { outfile: BUNDLE_FILE, bytes };
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
