import type { ManagerOptions, SocketOptions } from 'socket.io-client';

/** The part of a socket.io-client Socket the SDK uses. */
export interface ClientSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  timeout(ms: number): {
    emit(event: string, payload: unknown, ack: (error: Error | null, response: unknown) => void): unknown;
  };
  disconnect(): unknown;
}

/** Options the SDK passes to socket.io-client's `io()`. */
export type SocketFactoryOptions = Partial<ManagerOptions & SocketOptions>;

/** socket.io-client's `io`, or a wrapper of it (to add headers, or to observe traffic in tests). */
export type SocketFactory = (url: string, options: SocketFactoryOptions) => ClientSocket;
