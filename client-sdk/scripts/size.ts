/**
 * Bundle size of the SDK as an app would ship it: esbuild, ES module for browsers, minified, then gzip.
 * Run: npx tsx client-sdk/scripts/size.ts  (prints a markdown table)
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Variant {
  name: string;
  entry: string;
  external: string[];
}

const client = 'import { createSyncClient } from "./src/index.ts"; console.log(createSyncClient);';

const variants: Variant[] = [
  { name: 'createSyncClient + socket.io-client + zod (everything)', entry: client, external: [] },
  { name: 'createSyncClient + zod (socket.io-client external)', entry: client, external: ['socket.io-client'] },
  { name: 'createSyncClient + socket.io-client (zod external)', entry: client, external: ['zod'] },
  { name: 'createSyncClient alone (both external)', entry: client, external: ['socket.io-client', 'zod'] },
  { name: 'socket.io-client alone', entry: 'import { io } from "socket.io-client"; console.log(io);', external: [] },
  // `import { z }` binds zod's whole namespace object (every locale), which no bundler can shake: why the SDK and
  // its protocol write `import * as z from 'zod'`.
  { name: 'zod, whole namespace (what `import { z }` would cost)', entry: 'import { z } from "zod"; console.log(z);', external: [] },
  { name: 'React hooks (react and the SDK external)', entry: 'export * from "./src/react/index.ts";', external: ['react', 'react/jsx-runtime', './src/index.ts'] },
];

async function measure(variant: Variant) {
  const result = await build({
    stdin: { contents: variant.entry, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    external: variant.external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log('| bundle | minified | min + gzip | min + brotli |');
console.log('|---|---:|---:|---:|');
for (const variant of variants) {
  const size = await measure(variant);
  console.log(`| ${variant.name} | ${kb(size.min)} | ${kb(size.gzip)} | ${kb(size.brotli)} |`);
}
