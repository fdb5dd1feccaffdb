import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * The one TCP relay of the kit, on a free loopback port. Its target can be moved, the way a managed Redis moves
 * its endpoint to a promoted replica: `retarget` closes every relayed connection and sends new ones elsewhere.
 * With `oneWayMs` it is a slow mobile link: each chunk, its end too, is written that long after it arrived;
 * timers of one duration fire in the order they were set, so both directions keep their byte order.
 */
export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>`: for a socket.io client in place of the node's own URL. */
  readonly httpUrl: string;
  /** New connections go to `port`; open ones are cut (their clients reconnect). */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, options: { oneWayMs?: number } = {}): Promise<TcpProxy> {
  const delay = options.oneWayMs ?? 0;
  let target = targetPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (delay === 0) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delay));
      from.on('end', () => setTimeout(() => to.end(), delay));
    };
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    retarget(next) {
      target = next;
      for (const socket of [...open]) socket.destroy();
      open.clear();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
