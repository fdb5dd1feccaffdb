import { request as httpRequest } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { timeout } from '../support/timing.ts';
import {
  PROTOCOL_VERSION,
  type Ack,
  type ClientToServerEvents,
  type DeviceKind,
  type RequestEvent,
  type RequestOf,
  type ResultOf,
  type PushEvent,
  type PushOf,
  type ServerToClientEvents,
  type WireError,
} from '../../client-sdk/src/protocol/index.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  token: string;
  deviceId: string;
  deviceName?: string;
  deviceKind?: DeviceKind;
  /** Replaces the whole handshake auth payload (for malformed-auth tests). */
  auth?: Record<string, unknown>;
  /** socket.io-client reconnection @default false */
  reconnection?: boolean;
  extraHeaders?: Record<string, string>;
  query?: Record<string, string>;
}

/** A raw socket.io client as the SDK would open it: WebSocket only, its own connection. */
export function openSocket(url: string, options: ConnectOptions): ClientSocket {
  return io(url, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    timeout: 5000,
    auth: options.auth ?? {
      token: options.token,
      deviceId: options.deviceId,
      protocol: PROTOCOL_VERSION,
      ...(options.deviceName ? { deviceName: options.deviceName } : {}),
      ...(options.deviceKind ? { deviceKind: options.deviceKind } : {}),
    },
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
    ...(options.query ? { query: options.query } : {}),
  });
}

/** Connects and resolves once connected; rejects with the server's `{code, message}` on connect_error. */
export function connect(url: string, options: ConnectOptions): Promise<ClientSocket> {
  const socket = openSocket(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('connect_error');
      resolve(socket);
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(new Error(err.message), { data: err.data }));
    });
  });
}

/** The `{code, message}` a refused connection carries (fails when the connection succeeds). */
export async function refusal(url: string, options: ConnectOptions): Promise<WireError> {
  try {
    const socket = await connect(url, options);
    socket.close();
  } catch (err) {
    return (err as { data: WireError }).data;
  }
  throw new Error('connection was accepted');
}

type RawEmitter = { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };

/** Sends anything (malformed requests too) and resolves with the raw ack. */
export function send(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return (socket as unknown as RawEmitter).timeout(10_000).emitWithAck(event, ...args);
}

/** Sends a well-formed request and resolves with its typed ack. */
export async function call<E extends RequestEvent>(socket: ClientSocket, event: E, request: RequestOf<E>): Promise<Ack<ResultOf[E]>> {
  return (await send(socket, event, request)) as Ack<ResultOf[E]>;
}

/** Like `call`, but fails unless the ack is `{ ok: true }`; resolves with the result. */
export async function ok<E extends RequestEvent>(socket: ClientSocket, event: E, request: RequestOf<E>): Promise<ResultOf[E]> {
  const ack = await call(socket, event, request);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack;
}

/** Resolves with the next push of `event` that satisfies `match`. */
export function nextPush<E extends PushEvent>(
  socket: ClientSocket,
  event: E,
  match: (payload: PushOf<E>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<PushOf<E>> {
  const raw = socket as unknown as { on(e: string, f: (p: PushOf<E>) => void): void; off(e: string, f: (p: PushOf<E>) => void): void };
  let listener: (payload: PushOf<E>) => void = () => {};
  const found = new Promise<PushOf<E>>((resolve) => {
    listener = (payload) => {
      if (match(payload)) resolve(payload);
    };
    raw.on(event, listener);
  });
  return timeout(found, timeoutMs, `a matching ${event}`).finally(() => raw.off(event, listener));
}

/** Resolves with the disconnect reason of the socket. */
export function disconnected(socket: ClientSocket, timeoutMs = 15_000): Promise<string> {
  return timeout(new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason))), timeoutMs, 'disconnect');
}

/** The HTTP status of a raw WebSocket handshake to a node on 127.0.0.1 (101 when it is accepted), with extra headers such as Origin or Cookie. */
export function upgradeStatus(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/socket.io/?EIO=4&transport=websocket',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
