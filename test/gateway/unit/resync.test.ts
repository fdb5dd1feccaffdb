import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../server/observability/metrics.ts';
import { createResync } from '../../../server/transport/resync.ts';
import type { GatewayServer } from '../../../server/transport/session.ts';

interface Ending {
  reason: string;
  message: string;
  reconnectAfterMs?: number;
}

describe('resync: every socket asked to reconnect once', () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(() => {
    for (const item of open.splice(0).reverse()) item.close();
  });

  const start = async () => {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] }) as GatewayServer;
    open.push(io);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
  };
  const join = async (url: string) => {
    const socket: Socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    open.push(socket);
    const endings: Ending[] = [];
    socket.on('session:ending', (ending: Ending) => endings.push(ending));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return { socket, endings };
  };

  it('sends one drain hint per socket within the window, skips sockets already asked, and asks newcomers', async () => {
    const { io, url } = await start();
    const resync = createResync({ io, metrics: createMetrics({ nodeId: 't' }), graceMs: 60_000 });
    const first = await Promise.all([join(url), join(url), join(url)]);
    expect(resync.askAll(200)).toBe(3);
    expect(resync.askAll(200)).toBe(0);
    const late = await join(url);
    expect(resync.askAll(200)).toBe(1);
    await Promise.all([...first, late].map(({ endings }) => new Promise<void>((resolve) => {
      const check = () => (endings.length > 0 ? resolve() : setImmediate(check));
      check();
    })));
    for (const { endings } of [...first, late]) {
      expect(endings).toHaveLength(1);
      expect(endings[0]?.reason).toBe('drain');
      expect(endings[0]?.reconnectAfterMs).toBeGreaterThanOrEqual(0);
      expect(endings[0]?.reconnectAfterMs).toBeLessThanOrEqual(200);
    }
  });

  it('with close, closes the transport of a client that ignores the hint once the window and the grace are over', async () => {
    const { io, url } = await start();
    const resync = createResync({ io, metrics: createMetrics({ nodeId: 't' }), graceMs: 20, random: () => 1 });
    const client = await join(url);
    const gone = new Promise<string>((resolve) => client.socket.once('disconnect', (reason) => resolve(reason)));
    resync.askAll(20, { close: true });
    expect(await gone).toBe('transport close');
    expect(client.endings.map((e) => e.reconnectAfterMs)).toEqual([20]);
  });

  it('closes a socket first asked without close when a later request asks with close, without a second hint', async () => {
    const { io, url } = await start();
    const resync = createResync({ io, metrics: createMetrics({ nodeId: 't' }), graceMs: 20 });
    const client = await join(url);
    const gone = new Promise<string>((resolve) => client.socket.once('disconnect', (reason) => resolve(reason)));
    expect(resync.askAll(20)).toBe(1);
    expect(resync.askAll(20, { close: true })).toBe(0);
    expect(await gone).toBe('transport close');
    expect(client.endings).toHaveLength(1);
  });
});
