import {
  ErrorAck,
  RESULT_SCHEMAS,
  type RequestEvent,
  type RequestOf,
  type ResultOf,
  type WireError,
} from '../protocol/index.js';
import type { ClientSocket } from './socket.js';

/** The outcome of one request. `lost` means no answer came: the server may or may not have applied it. */
export type Answer<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'error'; readonly error: WireError }
  | { readonly kind: 'lost' }
  | { readonly kind: 'invalid'; readonly detail: string };

/** Validates an acknowledgement against the protocol's schema for the event. */
export function parseAnswer<E extends RequestEvent>(event: E, response: unknown): Answer<ResultOf[E]> {
  if (typeof response !== 'object' || response === null || !('ok' in response)) {
    return { kind: 'invalid', detail: `${event}: answer is not an acknowledgement` };
  }
  if (response.ok === false) {
    const parsed = ErrorAck.safeParse(response);
    return parsed.success
      ? { kind: 'error', error: parsed.data.error }
      : { kind: 'invalid', detail: `${event}: malformed error answer` };
  }
  const { ok, ...rest } = response as Record<string, unknown>;
  if (ok !== true) return { kind: 'invalid', detail: `${event}: answer has no ok flag` };
  const parsed = RESULT_SCHEMAS[event].safeParse(rest);
  return parsed.success
    ? { kind: 'ok', value: parsed.data }
    : { kind: 'invalid', detail: `${event}: answer does not match the protocol (${parsed.error.issues[0]?.message ?? 'invalid'})` };
}

/** Sends a request and waits for its acknowledgement, at most `timeoutMs` and never past a disconnect. */
export function request<E extends RequestEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeoutMs: number,
): Promise<Answer<ResultOf[E]>> {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ kind: 'lost' });
      return;
    }
    socket.timeout(timeoutMs).emit(event, payload, (error, response) => {
      resolve(error ? { kind: 'lost' } : parseAnswer(event, response));
    });
  });
}
