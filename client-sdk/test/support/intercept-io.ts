import { io } from 'socket.io-client';
import type { ClientSocket, SocketFactory } from '../../src/connection/socket.ts';

/**
 * A real socket.io-client `io` whose `change` pushes the test can hold back, reorder or drop before they reach
 * the SDK's receive path: the same path a real network reordering would take. Also counts requests by event.
 */
export function interceptingIo() {
  const held: unknown[] = [];
  const requests = new Map<string, number>();
  let deliver: ((payload: unknown) => void) | null = null;
  let holding = false;
  const factory: SocketFactory = (url, options) => {
    const socket = io(url, options) as unknown as ClientSocket;
    const on = socket.on.bind(socket);
    const timeout = socket.timeout.bind(socket);
    Object.assign(socket, {
      on(event: string, listener: (...args: unknown[]) => void) {
        if (event !== 'change') return on(event, listener);
        deliver = (payload) => listener(payload);
        return on(event, (payload: unknown) => (holding ? held.push(payload) : listener(payload)));
      },
      timeout(ms: number) {
        const flagged = timeout(ms);
        return {
          emit(event: string, payload: unknown, ack: (error: Error | null, response: unknown) => void) {
            requests.set(event, (requests.get(event) ?? 0) + 1);
            return flagged.emit(event, payload, ack);
          },
        };
      },
    });
    return socket;
  };
  return {
    io: factory,
    held,
    requests: (event: string) => requests.get(event) ?? 0,
    hold() {
      holding = true;
    },
    /** Delivers held pushes by index, in the given order, and forgets all held ones. */
    release(order: number[]) {
      holding = false;
      const batch = held.splice(0);
      for (const i of order) deliver?.(batch[i]);
    },
  };
}
