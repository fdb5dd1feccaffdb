import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Change } from '../../../client-sdk/src/protocol/index.ts';
import { mintToken } from '../../support/gateway-process.ts';

/**
 * A raw socket.io client (no SDK): for measuring one request's answer time, for watching pushes on another
 * node, and for the attacks. Never reconnects by itself.
 */
export interface Probe {
  readonly socket: Socket;
  readonly pushes: Array<{ at: number; change: Change }>;
  readonly endings: Array<{ at: number; reason: string }>;
  /** Sends one request; resolves with the answer and its time, or `timeout`. */
  request(event: string, payload: unknown, timeoutMs?: number): Promise<{ answer: unknown; ms: number } | { answer: 'timeout'; ms: number }>;
  /** A mutation with the probe's next seq (seqs start from the clock, so they stay above older ones). */
  mutate(event: string, request: Record<string, unknown>, timeoutMs?: number): Promise<{ answer: unknown; ms: number; seq: number } | { answer: 'timeout'; ms: number; seq: number }>;
  close(): void;
}

export interface ProbeOptions {
  url: string;
  userId: string;
  deviceId: string;
  /** A ready-made token (forged ones for attacks); otherwise a valid one is minted. */
  token?: string;
  /** Replaces the whole handshake auth (for malformed ones). */
  auth?: Record<string, unknown>;
  query?: Record<string, string>;
  extraHeaders?: Record<string, string>;
  /** @default 5000 */
  timeoutMs?: number;
}

export type ProbeOutcome = { ok: true; probe: Probe } | { ok: false; error: { message: string; data: unknown } };

/** Connects, and resolves once the connection is accepted or refused (never throws for a refusal). */
export async function connectProbe(options: ProbeOptions): Promise<ProbeOutcome> {
  const token = options.token ?? (await mintToken({ userId: options.userId, deviceId: options.deviceId }));
  const socket = io(options.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: options.timeoutMs ?? 5000,
    auth: options.auth ?? { token, deviceId: options.deviceId, protocol: PROTOCOL_VERSION },
    ...(options.query ? { query: options.query } : {}),
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
  });
  const pushes: Probe['pushes'] = [];
  const endings: Probe['endings'] = [];
  socket.on('change', (change: Change) => pushes.push({ at: Date.now(), change }));
  socket.on('session:ending', (ending: { reason: string }) => endings.push({ at: Date.now(), reason: ending.reason }));
  let seq = Date.now() * 10 + Math.floor(Math.random() * 5);
  const outcome = await new Promise<ProbeOutcome>((resolve) => {
    socket.once('connect', () =>
      resolve({
        ok: true,
        probe: {
          socket,
          pushes,
          endings,
          request(event, payload, timeoutMs = 5000) {
            const start = Date.now();
            return new Promise((done) => {
              socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, answer: unknown) => {
                done(err ? { answer: 'timeout', ms: Date.now() - start } : { answer, ms: Date.now() - start });
              });
            });
          },
          async mutate(event, request, timeoutMs) {
            seq += 1;
            const mine = seq;
            return { ...(await this.request(event, { ...request, seq: mine }, timeoutMs)), seq: mine };
          },
          close: () => void socket.disconnect(),
        },
      }),
    );
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.disconnect();
      resolve({ ok: false, error: { message: err.message, data: err.data } });
    });
  });
  return outcome;
}

/** Connects or throws: for probes that must get in. */
export async function mustConnect(options: ProbeOptions): Promise<Probe> {
  const outcome = await connectProbe(options);
  if (!outcome.ok) throw new Error(`probe ${options.deviceId} refused: ${outcome.error.message} ${JSON.stringify(outcome.error.data)}`);
  return outcome.probe;
}

/** The error code of an ack, or 'ok', or 'timeout'. */
export function answerCode(answer: unknown): string {
  if (answer === 'timeout') return 'timeout';
  const a = answer as { ok?: boolean; error?: { code?: string } } | null;
  if (a?.ok === true) return 'ok';
  return a?.error?.code ?? 'malformed-answer';
}
