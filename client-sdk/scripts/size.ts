/**
 * Bundle size of the SDK as an app would ship it: esbuild, ES module for browsers, minified, then gzip.
 * Run: npx tsx client-sdk/scripts/size.ts  (prints a markdown table)
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Variant {
  name: string;
  entry: string;
  external: string[];
  plugins?: Plugin[];
}

/**
 * `import { z } from 'zod'` binds zod's whole namespace object (every locale included), which no bundler can
 * shake; `import * as z from 'zod'` lets esbuild keep only what is used. This plugin rewrites the protocol's
 * imports at bundle time, to show what that one-line change per file would save. It changes no file.
 */
const namespaceZod: Plugin = {
  name: 'namespace-zod',
  setup(builder) {
    builder.onLoad({ filter: /src[\\/]protocol[\\/].*\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace("import { z } from 'zod';", "import * as z from 'zod';"),
      loader: 'ts',
    }));
  },
};

const client = 'import { createSyncClient } from "./src/index.ts"; console.log(createSyncClient);';

const variants: Variant[] = [
  { name: 'createSyncClient + socket.io-client + zod (everything)', entry: client, external: [] },
  { name: 'createSyncClient + zod (socket.io-client external)', entry: client, external: ['socket.io-client'] },
  { name: 'createSyncClient + socket.io-client (zod external)', entry: client, external: ['zod'] },
  { name: 'createSyncClient alone (both external)', entry: client, external: ['socket.io-client', 'zod'] },
  { name: 'everything, if the protocol imported `* as z` from zod', entry: client, external: [], plugins: [namespaceZod] },
  { name: 'socket.io-client external, if the protocol imported `* as z`', entry: client, external: ['socket.io-client'], plugins: [namespaceZod] },
  { name: 'socket.io-client alone', entry: 'import { io } from "socket.io-client"; console.log(io);', external: [] },
  { name: 'zod alone, whole namespace (`import { z }`)', entry: 'import { z } from "zod"; console.log(z);', external: [] },
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
    plugins: variant.plugins ?? [],
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
