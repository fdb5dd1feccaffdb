import { connect as tcpConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { timeout } from '../support/timing.ts';

let short: GatewayProcess;
let capped: GatewayProcess;
const opened: Socket[] = [];

const adminPort = (node: GatewayProcess) => Number(new URL(node.adminUrl).port);
function open(port: number): Socket {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  // Read whatever comes, so the server's close is seen.
  socket.resume();
  opened.push(socket);
  return socket;
}
const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

beforeAll(async () => {
  [short, capped] = await Promise.all([
    startGateway({ nodeId: 'admin-short', env: { ADMIN_PORT: '0', ADMIN_HTTP_HEADERS_TIMEOUT_MS: '1000' } }),
    startGateway({ nodeId: 'admin-capped', env: { ADMIN_PORT: '0', ADMIN_MAX_CONNECTIONS: '3' } }),
  ]);
});

afterAll(async () => {
  for (const s of opened) s.destroy();
  await Promise.all([short?.kill(), capped?.kill()]);
});

describe('the admin listener and slow clients', () => {
  it('drops a caller that drips its headers once ADMIN_HTTP_HEADERS_TIMEOUT_MS passes (slowloris)', async () => {
    const socket = open(adminPort(short));
    const gone = closed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let stop = false;
    void (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (!socket.destroyed) socket.write(`X-Drip-${i}: y\r\n`);
      }
    })();
    // The default (10 s, checked every 30 s by Node unless told otherwise) would hold it far longer.
    await timeout(gone, 8_000, 'the dripping admin connection to be dropped');
    stop = true;
    expect(socket.destroyed).toBe(true);
  }, 15_000);

  it('holds at most ADMIN_MAX_CONNECTIONS connections: one more is closed at once, the others stay', async () => {
    const port = adminPort(capped);
    const held = [open(port), open(port), open(port)];
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))));
    // The server counts a connection once it accepted it: wait until it answers on one of them.
    const answered = new Promise<string>((resolve) => held[0]?.once('data', (d: Buffer) => resolve(d.toString())));
    held[0]?.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await timeout(answered, 5_000, 'healthz')).toMatch(/^HTTP\/1.1 200/);
    const extra = open(port);
    await timeout(closed(extra), 5_000, 'the extra admin connection to be closed');
    expect(held.every((s) => !s.destroyed)).toBe(true);
  });

  it('reads its slow-client bounds from the environment, the request timeout never below the headers timeout', () => {
    const { admin } = loadConfig({ ADMIN_HTTP_HEADERS_TIMEOUT_MS: '2000', ADMIN_HTTP_REQUEST_TIMEOUT_MS: '1000', ADMIN_HTTP_KEEPALIVE_TIMEOUT_MS: '700', ADMIN_MAX_CONNECTIONS: '5' });
    expect(admin.http).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 700, maxConnections: 5 });
    expect(loadConfig({}).admin.http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000, maxConnections: 1000 });
  });
});
