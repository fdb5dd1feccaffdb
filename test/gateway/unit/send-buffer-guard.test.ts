import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardHeartbeat } from '../../../server/transport/heartbeat-guard.ts';
import { createSendBudget, type SendBufferCutOff, type SendBufferLimits } from '../../../server/transport/send-buffer-guard.ts';
import type { GatewaySocket } from '../../../server/transport/session.ts';
import { openRaw } from '../raw-engine-io.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
});

const LIMITS: SendBufferLimits = { maxPackets: 50, maxBytes: 1024 * 1024, nodeMaxBytes: 64 * 1024 * 1024 };

/** A socket.io server whose connections are guarded, and `clients` clients connected to it. */
async function guardedServer(limits: SendBufferLimits, clients = 1, pingIntervalMs = 25_000) {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], pingInterval: pingIntervalMs, pingTimeout: 2000 });
  closers.push(() => void io.close());
  const budget = createSendBudget(limits);
  const cutOffs: SendBufferCutOff[] = [];
  const violations: string[] = [];
  const sockets: Socket[] = [];
  io.on('connection', (socket) => {
    budget.guard(socket as unknown as GatewaySocket, (cut) => cutOffs.push(cut));
    guardHeartbeat(socket as unknown as GatewaySocket, () => violations.push(socket.id));
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const made = Array.from({ length: clients }, () => {
    const client = ioClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    closers.push(() => void client.close());
    const received: number[] = [];
    client.on('tick', (n: number) => received.push(n));
    const disconnected = new Promise<string>((resolve) => client.on('disconnect', resolve));
    return { client, received, disconnected };
  });
  await vi.waitFor(() => expect(sockets).toHaveLength(clients));
  return { url, budget, sockets, cutOffs, violations, clients: made };
}

describe('send buffer guard', () => {
  it('closes a connection whose unsent pushes pass the packet cap, once, and frees its queue', async () => {
    const { sockets, cutOffs, clients, budget } = await guardedServer(LIMITS);
    const socket = sockets[0];
    // Pushes emitted in one tick queue up behind the first write, as they do behind a client that stopped reading.
    for (let n = 0; n < 500; n++) socket?.emit('tick', n);
    expect(cutOffs).toHaveLength(1);
    expect(cutOffs[0]).toMatchObject({ bound: 'connection' });
    expect(await clients[0]?.disconnected).toBe('transport close');
    expect((socket?.conn as unknown as { writeBuffer: unknown[] }).writeBuffer).toHaveLength(0);
    expect(budget.pendingBytes).toBe(0);
  });

  it('closes a connection past its byte bound, however few the packets', async () => {
    const { sockets, cutOffs, clients } = await guardedServer({ ...LIMITS, maxBytes: 256 * 1024 });
    const big = 'x'.repeat(100 * 1024);
    for (let n = 0; n < 5; n++) sockets[0]?.emit('tick', big);
    expect(cutOffs).toEqual([expect.objectContaining({ bound: 'connection' })]);
    expect(cutOffs[0]?.bytes).toBeGreaterThan(256 * 1024);
    expect(cutOffs[0]?.bytes).toBeLessThan(400 * 1024);
    expect(await clients[0]?.disconnected).toBe('transport close');
  });

  it('bounds the node: past its total, the connections holding the most are cut', async () => {
    const { sockets, cutOffs, budget } = await guardedServer({ maxPackets: 1000, maxBytes: 1024 * 1024, nodeMaxBytes: 1024 * 1024 }, 3);
    const big = 'y'.repeat(200 * 1024);
    for (let round = 0; round < 3; round++) for (const socket of sockets) socket.emit('tick', big);
    expect(cutOffs.some((c) => c.bound === 'node')).toBe(true);
    expect(budget.pendingBytes).toBeLessThanOrEqual(1024 * 1024 + 200 * 1024);
  });

  it('leaves a reading client alone however many pushes it gets over time, and the node count returns to 0', async () => {
    const { sockets, cutOffs, clients, budget } = await guardedServer(LIMITS);
    for (let batch = 0; batch < 20; batch++) {
      for (let n = 0; n < 40; n++) sockets[0]?.emit('tick', batch * 40 + n);
      await vi.waitFor(() => expect(clients[0]?.received).toHaveLength((batch + 1) * 40));
    }
    expect(cutOffs).toEqual([]);
    expect(clients[0]?.client.connected).toBe(true);
    await vi.waitFor(() => expect(budget.pendingBytes).toBe(0));
  });
});

describe('heartbeat guard', () => {
  it('closes a connection that sends a pong nobody asked for', async () => {
    const { url, violations } = await guardedServer(LIMITS, 0);
    const raw = await openRaw(url, { answerPings: false });
    raw.send('0');
    await vi.waitFor(() => expect(raw.packets.some((p) => p.startsWith('0'))).toBe(true));
    raw.sendFrame('3');
    await raw.closed;
    expect(violations).toHaveLength(1);
  });

  it('keeps a client that answers each ping it read', async () => {
    const { clients, violations } = await guardedServer(LIMITS, 1, 100);
    const client = clients[0]?.client;
    let pings = 0;
    client?.io.on('ping', () => (pings += 1));
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(5), { timeout: 5000 });
    expect(client?.connected).toBe(true);
    expect(violations).toEqual([]);
  });
});
