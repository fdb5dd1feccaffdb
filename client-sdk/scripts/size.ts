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
  { name: 'createSyncClient + socket.io-client (everything)', entry: client, external: [] },
  { name: 'createSyncClient (socket.io-client external): the budget, <= 15 KB', entry: client, external: ['socket.io-client'] },
  { name: 'the protocol validator (protocol/schema) alone', entry: 'export * from "./src/protocol/schema/index.ts";', external: [] },
  { name: 'socket.io-client alone', entry: 'import { io } from "socket.io-client"; console.log(io);', external: [] },
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
const BUDGET_GZIP = 15 * 1024;
let overBudget = 0;
console.log('| bundle | minified | min + gzip | min + brotli |');
console.log('|---|---:|---:|---:|');
for (const variant of variants) {
  const size = await measure(variant);
  console.log(`| ${variant.name} | ${kb(size.min)} | ${kb(size.gzip)} | ${kb(size.brotli)} |`);
  if (variant === variants[1] && size.gzip > BUDGET_GZIP) overBudget = size.gzip;
}
if (overBudget > 0) {
  console.error(`createSyncClient is ${kb(overBudget)} min + gzip without socket.io-client: over its 15 KB budget`);
  process.exitCode = 1;
}
