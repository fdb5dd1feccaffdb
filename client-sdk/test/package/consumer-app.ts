/**
 * The files of a small app outside the repo that installs the packed SDK: an ES module script, a CommonJS script,
 * and TypeScript sources checked under several module resolutions.
 */

/** Runs the SDK for real (offline: a client that never connects), through all three entry points. */
const runtimeBody = `
const client = createSyncClient({ url: 'http://127.0.0.1:9', getToken: () => 'unused', connect: false, storage: memoryStorage() });
const added = client.cart.add({ sku: 'book-1', title: 'A Book', priceCents: 1299, qty: 2 });
added.catch(() => {});
const line = CartLine.parse({ sku: 'book-1', title: 'A Book', priceCents: 1299, qty: 2 });
const result = {
  lines: client.cart.get().items.length,
  totalCents: client.cart.get().totalCents,
  pending: client.pendingCount,
  protocolVersion: PROTOCOL_VERSION,
  parsedQty: line.qty,
  reactHooks: [typeof SyncProvider, typeof useCart],
};
await client.close();
console.log(JSON.stringify(result));
`;

export const ESM_SCRIPT = `import { createSyncClient, memoryStorage } from '@tandem/client';
import { SyncProvider, useCart } from '@tandem/client/react';
import { CartLine, PROTOCOL_VERSION } from '@tandem/client/protocol';
${runtimeBody}`;

export const CJS_SCRIPT = `const { createSyncClient, memoryStorage } = require('@tandem/client');
const { SyncProvider, useCart } = require('@tandem/client/react');
const { CartLine, PROTOCOL_VERSION } = require('@tandem/client/protocol');
(async () => {${runtimeBody}})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * Type-checked code: uses a type from each entry point, and `@ts-expect-error` lines that fail the check
 * ("unused directive") if the package's types resolved to `any`.
 */
export const TYPED_SOURCE = `import { createSyncClient, memoryStorage, type SyncClient, type CartView } from '@tandem/client';
import { useCart, SyncProvider } from '@tandem/client/react';
import { CartLine, type ErrorCode } from '@tandem/client/protocol';

const client: SyncClient = createSyncClient({ url: 'http://127.0.0.1:9', getToken: () => 'unused', connect: false, storage: memoryStorage() });
const view: CartView = client.cart.get();
const code: ErrorCode = 'rate_limited';
const line = CartLine.parse({ sku: 'a', title: 'b', priceCents: 1, qty: 1 });
const qty: number = line.qty;
const hook: () => CartView = useCart;
// @ts-expect-error url must be a string
createSyncClient({ url: 42, getToken: () => 'x' });
// @ts-expect-error not an error code
const wrong: ErrorCode = 'no_such_code';
export { client, view, code, qty, hook, wrong, SyncProvider };
`;

export type Resolution = 'node16' | 'node10' | 'bundler';

const moduleFor: Record<Resolution, string> = { node16: 'node16', node10: 'commonjs', bundler: 'esnext' };

export function tsconfigFor(resolution: Resolution, files: readonly string[]): string {
  return JSON.stringify(
    {
      compilerOptions: {
        module: moduleFor[resolution],
        moduleResolution: resolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        jsx: 'react-jsx',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        types: [],
      },
      files,
    },
    null,
    2,
  );
}
