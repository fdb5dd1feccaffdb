import { RETRYABLE_CODES, type MutationResult, type WireError } from '../protocol/index.js';
import { fullJitterDelay, type BackoffOptions } from '../backoff.js';
import { request } from '../connection/request.js';
import type { ClientSocket } from '../connection/socket.js';
import type { Outbox, OutboxEntry } from '../outbox.js';
import { createTimerSlot, type Timers } from '../util/timers.js';

export interface SenderDeps {
  outbox: Outbox;
  timers: Timers;
  random: () => number;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  onAcked(entry: OutboxEntry, result: MutationResult): void;
  onRejected(entry: OutboxEntry, error: WireError): void;
  /** A retryable refusal (kept in the outbox); reported, not thrown. */
  onRetry(entry: OutboxEntry, error: WireError): void;
  /** The server answered nonsense or not at all, or said `conflict`: the connection must be replaced. */
  reconnect(detail: string): void;
  /** The server said `token_expired` to a mutation. */
  refreshToken(): void;
}

export interface Sender {
  /** Starts sending the outbox on this (synced) socket. */
  start(socket: ClientSocket): void;
  /** Stops; an unanswered mutation stays at the head of the outbox and is resent on the next connection. */
  stop(): void;
  /** New entries may be waiting. */
  kick(): void;
}

/**
 * Sends the outbox strictly one mutation at a time, in seq order. A seq at or below the device's last applied
 * one is taken for a duplicate, so a later mutation must never commit before an earlier one that may still be
 * retried (a rate-limited one, say): pipelining would risk silently losing it.
 */
export function createSender(deps: SenderDeps): Sender {
  let run = 0;
  // Counts kicks, so a kick that lands while the pump is looking at the outbox is not lost.
  let kicks = 0;
  let wake: (() => void) | null = null;
  const pause = createTimerSlot(deps.timers);

  const sleep = (ms: number, mine: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      pause.set(resolve, ms);
      if (mine !== run) resolve();
    });

  const idle = (mine: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (mine !== run) resolve();
    });

  const pump = async (socket: ClientSocket, mine: number) => {
    let failures = 0;
    while (mine === run) {
      const seen = kicks;
      const entry = await deps.outbox.next();
      if (mine !== run) return;
      if (!entry) {
        if (seen === kicks) await idle(mine);
        continue;
      }
      const mutation = deps.outbox.toMutation(entry);
      const answer = await request(socket, mutation.event, mutation.request, deps.requestTimeoutMs);
      if (mine !== run) return;
      if (answer.kind === 'ok') {
        failures = 0;
        deps.onAcked(entry, answer.value);
      } else if (answer.kind === 'error' && !RETRYABLE_CODES.has(answer.error.code)) {
        failures = 0;
        deps.onRejected(entry, answer.error);
      } else if (answer.kind === 'error' && answer.error.code !== 'conflict') {
        deps.onRetry(entry, answer.error);
        if (answer.error.code === 'token_expired') deps.refreshToken();
        await sleep(Math.max(50, fullJitterDelay(failures++, deps.backoff, deps.random)), mine);
      } else {
        const detail =
          answer.kind === 'error' ? 'connection superseded (conflict)' : answer.kind === 'lost' ? 'no answer to a mutation' : answer.detail;
        deps.reconnect(detail);
        return;
      }
    }
  };

  return {
    start(socket) {
      const mine = ++run;
      wake?.();
      void pump(socket, mine);
    },
    stop() {
      run++;
      pause.clear();
      wake?.();
      wake = null;
    },
    kick() {
      kicks++;
      const resume = wake;
      if (!pause.armed && resume) {
        wake = null;
        resume();
      }
    },
  };
}
