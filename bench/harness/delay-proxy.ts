import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay on a free loopback port that holds every chunk `oneWayMs` in each direction: a slow mobile link. */
export interface DelayProxy {
  /** `http://127.0.0.1:<port>`: give it to a client instead of the node's own URL. */
  readonly url: string;
  readonly port: number;
  /** The round trip it adds: twice `oneWayMs`. */
  readonly rttMs: number;
  close(): Promise<void>;
}

/**
 * Each chunk is written `oneWayMs` after it arrived, its end too: timers of one duration fire in the order they
 * were set, so both directions keep their byte order. A close on either side closes the other at once.
 */
export async function startDelayProxy(targetPort: number, oneWayMs: number): Promise<DelayProxy> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    open.add(client).add(upstream);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), oneWayMs));
      from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    };
    relay(client, upstream);
    relay(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    rttMs: 2 * oneWayMs,
    close() {
      for (const socket of open) socket.destroy();
      open.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
