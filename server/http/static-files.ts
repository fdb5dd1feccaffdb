import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves files under `root` (GET/HEAD); answers false when it did not handle the request. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * A static file server that never leaves `root`: the decoded path is resolved against the root and the
 * real path (after symlinks) must still be inside it. Dotfiles are not served. The folder may appear later
 * (the demo is built separately).
 */
export function createStaticFiles(root: string | null): StaticHandler {
  if (root === null) return async () => false;
  const rootPath = resolve(root);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    if (pathname.includes('\0') || pathname.split('/').some((part) => part.startsWith('.'))) return false;
    let file = resolve(join(rootPath, pathname));
    if (file !== rootPath && !file.startsWith(rootPath + sep)) return false;
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      const real = await realpath(file);
      const realRoot = await realpath(rootPath);
      if (!real.startsWith(realRoot + sep) || !info.isFile()) return false;
      res.writeHead(200, {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(real).pipe(res);
      return true;
    } catch {
      return false;
    }
  };
}
