/**
 * The compiled server as the Docker image holds it: dist/server.js, its Lua scripts and the demo page copied into
 * a folder with no TypeScript sources, run by plain `node` against a real Redis. A cart change through a real
 * socket.io client runs the Lua scripts, which the bundle finds in dist/scripts.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ok, type ClientSocket } from '../gateway/helpers.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function ensureBuilt(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['scripts/ensure-built.mjs'], { cwd: REPO_ROOT }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve()));
  });
}

/** Every file under `dir`, relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}

describe('the compiled server', () => {
  let app: string;
  let redis: RedisServer;
  let node: GatewayProcess | undefined;
  let url: string;
  let socket: ClientSocket | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    // The runtime image's layout (Dockerfile): package.json, node_modules, dist/, demo/public.
    app = mkdtempSync(join(tmpdir(), 'tandem-compiled-'));
    cpSync(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'));
    mkdirSync(join(app, 'dist'));
    for (const file of ['server.js', 'server.js.map', 'scripts']) cpSync(join(REPO_ROOT, 'dist', file), join(app, 'dist', file), { recursive: true });
    cpSync(join(REPO_ROOT, 'demo', 'public'), join(app, 'demo', 'public'), { recursive: true });

    redis = await startRedis();
    node = await startGateway({ compiled: true, cwd: app, redisUrl: redis.url, nodeId: 'compiled-1', env: { SERVE_DEMO: 'true' }, readyTimeoutMs: 30_000 });
    url = node.url;
  }, 90_000);

  afterAll(async () => {
    socket?.close();
    await node?.kill();
    await redis?.kill();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('runs from a folder that holds no TypeScript', () => {
    expect(listFiles(app).filter((path) => path.endsWith('.ts') || path.endsWith('.tsx'))).toEqual([]);
  });

  it('serves the demo page from demo/public next to dist/', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html');
  });

  it('applies a cart change with its Lua scripts on the Redis engine', async () => {
    const token = await mintToken({ userId: 'compiled-user', deviceId: 'phone' });
    socket = await connect(url, { token, deviceId: 'phone' });
    const ack = await ok(socket, 'cart:add', { seq: 1, sku: 'book-1', title: 'A Book', priceCents: 1299, qty: 2 });
    expect(ack.duplicate).toBe(false);
    expect(ack.version).toBeGreaterThan(0);
    expect(node?.logs().join('\n')).toContain('"engine":"redis"');
  });
});
