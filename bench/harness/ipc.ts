import type { ChildProcess } from 'node:child_process';

/** A request over a child's IPC channel: `{ id, type, payload }`, answered by `{ id, ok, result | error }`. */
export interface IpcRequest {
  id: number;
  type: string;
  payload: unknown;
}
export interface IpcResponse {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

function isResponse(message: unknown): message is IpcResponse {
  return typeof message === 'object' && message !== null && 'id' in message && 'ok' in message;
}

export interface IpcClient {
  request<T>(type: string, payload?: unknown, timeoutMs?: number): Promise<T>;
}

/** The parent's side: sends requests to a child and matches the answers by id. */
export function createIpcClient(child: ChildProcess, name: string): IpcClient {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  child.on('message', (message: unknown) => {
    if (!isResponse(message)) return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
  });
  child.once('exit', (code, signal) => {
    for (const [id, waiter] of pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${name} exited (${signal ?? code}) during request ${id}`));
    }
    pending.clear();
  });
  return {
    request<T>(type: string, payload: unknown = null, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${name} is not connected`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${type} got no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: (value) => resolve(value as T), reject, timer });
        child.send({ id, type, payload } satisfies IpcRequest);
      });
    },
  };
}

/**
 * The child's side: answers requests from the parent with the handler of their type. Several servers may
 * share the channel (the probe and the load process); each ignores the types it does not handle.
 */
export function serveIpc(handlers: Record<string, (payload: never) => unknown>): void {
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !('id' in message) || !('type' in message)) return;
    const { id, type, payload } = message as IpcRequest;
    const handler = handlers[type];
    const reply = (response: IpcResponse) => {
      if (process.connected) process.send?.(response);
    };
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(payload as never))
      .then(
        (result) => reply({ id, ok: true, result }),
        (err: unknown) => reply({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
}
