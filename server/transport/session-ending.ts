import type { EndingReason } from '../../client-sdk/src/protocol/index.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { GatewaySocket } from './session.ts';

const MESSAGES: Record<EndingReason, string> = {
  drain: 'this node is shutting down; reconnect after the delay',
  token_expired: 'token expired; get a fresh token and reconnect',
  revoked: 'this session was signed out',
  flood: 'too many requests; reconnect later with backoff',
  superseded: 'a newer connection of this device took over; do not reconnect on your own',
  erased: 'everything stored for this user was erased',
};

const ended = new WeakSet<GatewaySocket>();

/** Whether `endSession` already ended this socket (its requests are then dropped unanswered). */
export function isEnding(socket: GatewaySocket): boolean {
  return ended.has(socket);
}

/**
 * Tells the client why the server is ending its connection, then ends it. Closing the transport leaves the
 * client free to reconnect (it sees "transport close"); `disconnect(true)` tells socket.io-client not to.
 * Both flush what was already written, so the `session:ending` push arrives first. Answers whether this call
 * ended it (false: it was already ending or gone).
 */
export function endSession(
  socket: GatewaySocket,
  reason: EndingReason,
  options: { metrics: Metrics; reconnectAfterMs?: number; close?: boolean; message?: string },
): boolean {
  // Once only: a socket keeps delivering what it had sent until its transport is really closed.
  if (!socket.connected || ended.has(socket)) return false;
  // A hint that leaves the connection open (drain, resync) does not end it: later requests are still served.
  const final = reason === 'revoked' || reason === 'superseded' || reason === 'erased';
  const closing = final || options.close !== false;
  if (closing) ended.add(socket);
  options.metrics.sessionsEnded.inc({ reason });
  socket.emit('session:ending', {
    reason,
    message: options.message ?? MESSAGES[reason],
    ...(options.reconnectAfterMs !== undefined ? { reconnectAfterMs: options.reconnectAfterMs } : {}),
  });
  // Only a revoked, superseded or erased session must not come back on its own.
  if (final) socket.disconnect(true);
  else if (closing) socket.conn.close();
  return true;
}
