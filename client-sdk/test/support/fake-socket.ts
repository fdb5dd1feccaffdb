import type { ClientSocket, SocketFactory, SocketFactoryOptions } from '../../src/connection/socket.ts';

type Listener = (...args: unknown[]) => void;

/** A scripted stand-in for a socket.io-client socket, driven by the test as "the server". */
export class FakeSocket implements ClientSocket {
  connected = false;
  readonly requests: Array<{ event: string; payload: unknown; ack: (error: Error | null, response: unknown) => void }> = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly options: SocketFactoryOptions,
  ) {}

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  timeout(_ms: number) {
    return {
      emit: (event: string, payload: unknown, ack: (error: Error | null, response: unknown) => void) => {
        this.requests.push({ event, payload, ack });
      },
    };
  }

  disconnect(): this {
    if (this.connected) this.drop('io client disconnect');
    return this;
  }

  fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  refuse(data?: unknown): void {
    this.fire('connect_error', Object.assign(new Error('refused'), { data }));
  }

  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
    for (const request of this.requests.splice(0)) request.ack(new Error('socket has been disconnected'), undefined);
  }

  get token(): string {
    return (this.options.auth as { token: string }).token;
  }
}

export function fakeIo() {
  const sockets: FakeSocket[] = [];
  const io: SocketFactory = (url, options) => {
    const socket = new FakeSocket(url, options);
    sockets.push(socket);
    return socket;
  };
  return { io, sockets, last: () => sockets[sockets.length - 1] as FakeSocket };
}
