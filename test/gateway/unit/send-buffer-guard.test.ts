import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardSendBuffer } from '../../../server/transport/send-buffer-guard.ts';
import type { GatewaySocket } from '../../../server/transport/session.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
});

/** A socket.io server whose connections are guarded with a small cap, and one client connected to it. */
async function guardedPair(maxPackets: number) {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  closers.push(() => void io.close());
  const cutOffs: number[] = [];
  const connected = new Promise<Socket>((resolve) =>
    io.on('connection', (socket) => {
      guardSendBuffer(socket as unknown as GatewaySocket, (pending) => cutOffs.push(pending), maxPackets);
      resolve(socket);
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = ioClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  closers.push(() => void client.close());
  const received: number[] = [];
  client.on('tick', (n: number) => received.push(n));
  const disconnected = new Promise<string>((resolve) => client.on('disconnect', resolve));
  return { socket: await connected, client, cutOffs, received, disconnected };
}

describe('send buffer guard', () => {
  it('closes a connection whose unsent pushes pass the cap, once, and frees its queue', async () => {
    const { socket, cutOffs, disconnected } = await guardedPair(50);
    // Pushes emitted in one tick queue up behind the first write, as they do behind a client that stopped reading.
    for (let n = 0; n < 500; n++) socket.emit('tick', n);
    expect(cutOffs).toEqual([51]);
    expect(await disconnected).toBe('transport close');
    // Nothing after the cut was queued, and engine.io empties the queue of a closed connection.
    expect((socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer).toHaveLength(0);
  });

  it('leaves a reading client alone however many pushes it gets over time', async () => {
    const { socket, client, cutOffs, received } = await guardedPair(50);
    for (let batch = 0; batch < 20; batch++) {
      for (let n = 0; n < 40; n++) socket.emit('tick', batch * 40 + n);
      await vi.waitFor(() => expect(received).toHaveLength((batch + 1) * 40));
    }
    expect(cutOffs).toEqual([]);
    expect(client.connected).toBe(true);
  });
});
