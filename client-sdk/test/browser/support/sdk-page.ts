/**
 * The SDK in a real browser: a loopback HTTP server (port 0) serves a blank page and the SDK bundled by
 * esbuild; the pages' sockets go to real gateway processes, which list the page's origin in CORS_ORIGINS.
 * Loopback keeps Chromium's local-network checks quiet and makes the page a secure context (Web Locks).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../../test/support/gateway-process.ts';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>tandem sdk</title></head><body>
<script type="module">import * as Tandem from '/sdk.js'; window.Tandem = Tandem; window.sdkLoaded = true;</script>
</body></html>`;

let bundle: Promise<string> | null = null;

/** The SDK's public entry as one browser ESM file (built once per test file). */
export function sdkBundle(): Promise<string> {
  bundle ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [join(REPO_ROOT, 'client-sdk', 'src', 'index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110'],
      write: false,
      logLevel: 'warning',
    });
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild made no SDK bundle');
    return file.text;
  })();
  return bundle;
}

export interface SdkPageServer {
  /** `http://127.0.0.1:<port>`: the page is at `/`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the page at `/` and the bundle at `/sdk.js` on 127.0.0.1. */
export async function startSdkPageServer(): Promise<SdkPageServer> {
  const code = await sdkBundle();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = path === '/sdk.js' ? code : path === '/' ? PAGE : null;
    if (body === null) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': `text/${path === '/' ? 'html' : 'javascript'}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
