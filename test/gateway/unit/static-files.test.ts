import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles } from '../../../server/http/static-files.ts';

let dir: string;
let server: Server;
let port: number;

/** GET with the path sent exactly as written (fetch would normalize the dots away). */
function get(path: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-static-'));
  mkdirSync(join(dir, 'public', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'public', 'index.html'), '<h1>demo</h1>');
  writeFileSync(join(dir, 'public', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'public', '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'public', 'link.txt'));
  const serve = createStaticFiles(join(dir, 'public'));
  server = createServer((req, res) => {
    void serve(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves files and index.html with their content type', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: '<h1>demo</h1>', type: 'text/html; charset=utf-8' });
    expect(await get('/assets/app.js?v=1')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
  });

  it('never leaves its folder: dot segments, encoded dots and slashes, symlinks, dotfiles, bad encodings', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/link.txt', '/.env', '/%E0%A4%A', '/a%00b']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('answers nothing when the folder does not exist', async () => {
    const serve = createStaticFiles(join(dir, 'missing'));
    expect(await serve({ method: 'GET', url: '/' } as never, {} as never)).toBe(false);
  });
});
