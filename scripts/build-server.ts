/**
 * Compiles the gateway to one JavaScript file, dist/server.js (esbuild; npm packages stay external imports), with its
 * source map, the Lua scripts next to it (dist/scripts/) and the list of its inputs (dist/server.inputs.json, which
 * scripts/ensure-built.mjs compares with the sources to rebuild a stale bundle before `npm start`).
 * Run by `npm run build` and `npm run build:server`.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_BUNDLE = join(REPO_ROOT, 'dist', 'server.js');
const LUA_SOURCE_DIR = join(REPO_ROOT, 'server', 'engine', 'redis', 'scripts');

/**
 * Modules that locate files from their own URL, and why that still holds in the bundle. The bundle lives one folder
 * below the repository root, as server/*.ts does, and `import.meta.url` is the bundle's URL in every module.
 */
const FILE_LOCATORS: Record<string, string> = {
  'server/engine/redis/scripts.ts': './scripts/*.lua: copied to dist/scripts/',
  'server/config.ts': '../demo/public: the same folder from dist/ as from server/',
};

export interface ServerBuild {
  outfile: string;
  bytes: number;
  inputs: string[];
}

export async function buildServer(): Promise<ServerBuild> {
  // esbuild ships with tsx (a runtime dependency), so this works without dev dependencies too.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'server', 'main.ts')],
    outfile: SERVER_BUNDLE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
    write: false,
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  for (const input of inputs) {
    if (!readFileSync(join(REPO_ROOT, input), 'utf8').includes('import.meta.url')) continue;
    if (!(input in FILE_LOCATORS)) {
      throw new Error(`${input} locates files from import.meta.url: teach scripts/build-server.ts where they are in the bundle`);
    }
  }

  const dist = dirname(SERVER_BUNDLE);
  mkdirSync(dist, { recursive: true });
  // The Lua scripts first, then the bundle; every file is written beside its place and renamed in, so a node
  // starting meanwhile (a parallel test) never reads half a file or misses one.
  const scripts = join(dist, 'scripts');
  mkdirSync(scripts, { recursive: true });
  const lua = luaFiles();
  for (const file of lua) writeAtomically(join(scripts, basename(file)), readFileSync(join(REPO_ROOT, file)));
  let bytes = 0;
  for (const file of result.outputFiles) {
    writeAtomically(file.path, file.contents);
    if (file.path === SERVER_BUNDLE) bytes = file.contents.byteLength;
  }
  writeAtomically(join(dist, 'server.inputs.json'), `${JSON.stringify([...inputs, ...lua], null, 1)}\n`);
  return { outfile: SERVER_BUNDLE, bytes, inputs };
}

function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function luaFiles(): string[] {
  return readdirSync(LUA_SOURCE_DIR)
    .filter((name) => name.endsWith('.lua'))
    .sort()
    .map((name) => relative(REPO_ROOT, join(LUA_SOURCE_DIR, name)));
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  buildServer().then(
    (build) => process.stdout.write(`server built: ${relative(REPO_ROOT, build.outfile)} (${Math.round(build.bytes / 1024)} KiB, ${build.inputs.length} modules)\n`),
    (error: unknown) => {
      process.stderr.write(`server build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
