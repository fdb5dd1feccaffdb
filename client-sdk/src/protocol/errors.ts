import * as s from './schema/index.js';


/**
 * The closed set of error codes a request can answer with.
 * Each says what a client should do about it.
 */
export const ERROR_CODES = [
  /** The payload or event is malformed or breaks a limit. Do not retry unchanged; the change was not applied. */
  'bad_request',
  /** The token is missing, invalid or revoked. Get a new token; if that fails too, sign the user in again. */
  'unauthorized',
  /** The token expired. Get a fresh token with `getToken` and reconnect or refresh. */
  'token_expired',
  /** The request touches something this user may not touch, or a limit of the account (device cap). Do not retry. */
  'forbidden',
  /** The named thing does not exist. Do not retry. */
  'not_found',
  /** This connection was superseded by a newer one of the same device. Reconnect and resend. */
  'conflict',
  /** Backend API: `If-Match` named a version the user has moved on from. Read the user again, then decide. */
  'precondition_failed',
  /** Backend API: this Idempotency-Key was used for a different request. Use a new key for a new request. */
  'idempotency_key_reused',
  /** Backend API: the change log no longer reaches back to that version. Read the whole user instead. */
  'history_gone',
  /** Too many requests for this user. Retry later with backoff. */
  'rate_limited',
  /** The state store is unreachable or the node is draining. Keep the change and retry with backoff, on any node. */
  'unavailable',
  /** The message is larger than allowed. Do not retry unchanged. */
  'too_large',
  /** Unexpected server error. Retry with backoff; report if it persists. */
  'internal',
  /**
   * The cart is frozen for a checkout (its payment is running). Show the cart locked and roll the edit back;
   * do not retry: the checkout ends by completing (the cart is cleared) or by being cancelled or lapsing.
   */
  'frozen',
  /** The line's currency is not the cart's (a cart holds one currency). Do not retry unchanged; roll the edit back. */
  'currency_mismatch',
] as const;

export const ErrorCode = s.enumOf(ERROR_CODES);
export type ErrorCode = s.Infer<typeof ErrorCode>;

/** Codes after which a mutation should stay in the outbox and be resent later. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'unavailable',
  'internal',
  'conflict',
  'token_expired',
]);

export const WireError = s.object({
  code: ErrorCode,
  message: s.string({ max: 500 }),
});
export type WireError = s.Infer<typeof WireError>;

/** The negative acknowledgement every request can receive. */
export const ErrorAck = s.object({ ok: s.literal(false), error: WireError });
export type ErrorAck = s.Infer<typeof ErrorAck>;

/** An acknowledgement: `{ ok: true, ...data }` or `{ ok: false, error }`. */
export type Ack<T extends object> = ({ ok: true } & T) | ErrorAck;

/** Reasons a server gives (in `session:ending`) before it closes a connection. */
export const ENDING_REASONS = [
  /** The node is shutting down: reconnect (to any node) after `reconnectAfterMs`. */
  'drain',
  /** The token expired without a refresh: get a new token, then reconnect. */
  'token_expired',
  /** The session was signed out: do not reconnect with this token. */
  'revoked',
  /** The client sent too much, too fast, or too large: reconnect later with backoff. */
  'flood',
  /**
   * A newer connection of the same device (same user and deviceId) took over. Do not reconnect on your own:
   * two copies would take the device from each other in a loop. Stop, and let the user choose to resume here.
   */
  'superseded',
  /**
   * The app's backend erased everything stored for this user: wipe the local copy (state and unsent changes)
   * and do not reconnect with this token until the app decides (sign the user out, or in again).
   */
  'erased',
] as const;
export const EndingReason = s.enumOf(ENDING_REASONS);
export type EndingReason = s.Infer<typeof EndingReason>;
