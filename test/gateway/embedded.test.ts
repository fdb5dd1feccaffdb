import { afterAll, describe, expect, it, vi } from 'vitest';
import type { SessionEnding } from '../../client-sdk/src/protocol/index.ts';
import { CONFIG_VARIABLES } from '../../server/config.ts';
import { adminListeningPort, cleanGatewayEnv, listeningPort, mintToken, REPO_ROOT, runGatewayToExit, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { spawnProcess, type Supervised } from '../support/supervisor.ts';
import { connect, disconnected, nextPush, ok, upgradeStatus, type ClientSocket } from './helpers.ts';

const sockets: ClientSocket[] = [];
const processes: Supervised[] = [];


afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(processes.map((proc) => proc.kill('SIGKILL')));
});

describe('npm start with no configuration', () => {
  it('runs one node on the memory engine with dev tokens, and a client can use it', async () => {
    // The supervisor kills the whole group at the end: npm starts a shell and tsx below it.
    const child = spawnProcess({ name: 'npm start', command: 'npm', args: ['start', '--silent'], cwd: REPO_ROOT, env: cleanGatewayEnv({ PORT: '0', ADMIN_PORT: '0' }) });
    processes.push(child);
    const port = listeningPort(await child.waitForLine((line) => listeningPort(line) !== null, { timeoutMs: 30_000, what: 'listening' }));
    const output = () => child.lines().join('\n');
    const url = `http://127.0.0.1:${port}`;

    await vi.waitFor(async () => expect((await fetch(`${url}/healthz`)).status).toBe(200), { timeout: 20_000, interval: 100 });
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready', engine: 'memory' });
    expect(output()).toMatch(/EPHEMERAL random dev secret/);
    expect(output()).toMatch(/in-process memory engine/);

    const refused = await fetch(`${url}/auth/dev-token`, { method: 'POST', body: JSON.stringify({ userId: 'bad user' }) });
    expect(refused.status).toBe(400);
    const minted = await fetch(`${url}/auth/dev-token`, { method: 'POST', body: JSON.stringify({ userId: 'zoe', deviceId: 'zoe-phone' }) });
    const { token, expiresAt } = (await minted.json()) as { token: string; expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(output()).not.toContain(token);

    const socket = await connect(url, { token, deviceId: 'zoe-phone', deviceKind: 'phone' });
    sockets.push(socket);
    const added = await ok(socket, 'cart:add', { seq: 1, sku: 'tea', title: 'Green tea', priceCents: 450, qty: 3 });
    const synced = await ok(socket, 'sync:since', { since: null });
    expect(synced.sync).toMatchObject({ kind: 'snapshot', version: added.version, state: { cart: [{ sku: 'tea', qty: 3 }] } });
    expect(synced.devices).toEqual([expect.objectContaining({ deviceId: 'zoe-phone', online: true })]);

    // /metrics lives on the admin port only (its port is in the `admin listening` line).
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const adminPort = adminListeningPort(await child.waitForLine((line) => adminListeningPort(line) !== null));
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toMatch(/tandem_connections\{[^}]*\} 1/);
    expect(metrics).toMatch(/tandem_requests_total\{[^}]*event="cart:add"[^}]*outcome="ok"[^}]*\} 1/);
    expect(metrics).toContain('tandem_request_duration_seconds_bucket');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
    socket.close();
    child.signal('SIGTERM');
  });
});

describe('configuration errors', () => {
  it('exits 1 naming the variable and why', async () => {
    const [badPort, production, shortSecret] = await Promise.all([
      runGatewayToExit([], { PORT: 'eighty' }),
      runGatewayToExit([], { NODE_ENV: 'production' }),
      runGatewayToExit([], { JWT_SECRET: 'short', REDIS_URL: 'redis://127.0.0.1:1' }),
    ]);
    expect(badPort.code).toBe(1);
    expect(badPort.output).toMatch(/PORT: expected a number/);
    expect(production.code).toBe(1);
    expect(production.output).toMatch(/JWT_SECRET: NODE_ENV=production needs/);
    expect(shortSecret.code).toBe(1);
    expect(shortSecret.output).toMatch(/JWT_SECRET: must be at least 32 characters/);
  });

  it('prints every variable with --help', async () => {
    const help = await runGatewayToExit(['--help'], {});
    expect(help.code).toBe(0);
    for (const [name] of CONFIG_VARIABLES) expect(help.output).toContain(name);
  });
});

describe('SIGTERM', () => {
  let node: GatewayProcess;

  it('refuses new handshakes, hints every client to reconnect within the window, and exits when empty', async () => {
    const windowMs = 2000;
    node = await startGateway({ nodeId: 'drainer', env: { DRAIN_WINDOW_MS: String(windowMs), DRAIN_TIMEOUT_MS: '8000' } });
    const clients = await Promise.all(
      ['a', 'b', 'c', 'd'].map(async (d) => connect(node.url, { token: await mintToken({ userId: 'yan', deviceId: d }), deviceId: d })),
    );
    sockets.push(...clients);
    const hints = clients.map((s) => nextPush(s, 'session:ending'));
    const closes = clients.map((s) => disconnected(s));

    node.signal('SIGTERM');
    const first = await Promise.race(hints);
    expect(first.reason).toBe('drain');
    // The random delays keep sockets (and so the process) up for a moment: the node now refuses newcomers.
    expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
    expect(await upgradeStatus(node.port)).toBe(503);

    const all: SessionEnding[] = await Promise.all(hints);
    for (const hint of all) {
      expect(hint.reason).toBe('drain');
      expect(hint.reconnectAfterMs).toBeGreaterThanOrEqual(0);
      expect(hint.reconnectAfterMs).toBeLessThanOrEqual(windowMs);
    }
    // Closed transports (not server disconnects), so socket.io-client would reconnect elsewhere on its own.
    expect(await Promise.all(closes)).toEqual(['transport close', 'transport close', 'transport close', 'transport close']);
    expect(await node.exited()).toEqual({ code: 0, signal: null });
    expect(node.logs().join('\n')).toMatch(/"outcome":"empty"/);
  });
});
