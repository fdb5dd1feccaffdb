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
  /** The first `results.length` entries of a push were applied, in order. */
  onAcked(entries: readonly OutboxEntry[], results: readonly MutationResult[]): void;
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

/** What the server said about one entry of a push, when it did not simply apply it. */
type Refusal = { entry: OutboxEntry; error: WireError };

/**
 * Sends the outbox in seq order, one `mutations:push` at a time, each carrying every pending entry that fits
 * (edits made while a push is out wait for the next one). A seq at or below the device's last applied one is
 * taken for a duplicate, so a later mutation must never commit before an earlier one that may still be retried
 * (a rate-limited one, say): the server stops a push at its first refusal, and only one push is in flight.
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

  /** Sends one push; returns the refusal that ended it, null when all was applied, or a reason to reconnect. */
  const push = async (socket: ClientSocket, batch: readonly OutboxEntry[]): Promise<Refusal | null | { reconnect: string }> => {
    const answer = await request(socket, 'mutations:push', { mutations: batch.map(deps.outbox.toMutation) }, deps.requestTimeoutMs);
    if (answer.kind === 'lost') return { reconnect: 'no answer to a push of mutations' };
    if (answer.kind === 'invalid') return { reconnect: answer.detail };
    if (answer.kind === 'error') return { entry: batch[0] as OutboxEntry, error: answer.error };
    const { results, error } = answer.value;
    const refused = batch[results.length];
    if (results.length > batch.length || (error !== undefined && refused === undefined)) {
      return { reconnect: 'mutations:push: the answer does not match the push' };
    }
    if (results.length > 0) deps.onAcked(batch.slice(0, results.length), results);
    return error === undefined || refused === undefined ? null : { entry: refused, error };
  };

  const pump = async (socket: ClientSocket, mine: number) => {
    let failures = 0;
    while (mine === run) {
      const seen = kicks;
      const batch = await deps.outbox.nextBatch();
      if (mine !== run) return;
      if (batch.length === 0) {
        if (seen === kicks) await idle(mine);
        continue;
      }
      const outcome = await push(socket, batch);
      if (mine !== run) return;
      if (outcome === null) {
        failures = 0;
        continue;
      }
      if ('reconnect' in outcome) {
        deps.reconnect(outcome.reconnect);
        return;
      }
      const { entry, error } = outcome;
      // Part of the push was applied: the server was not refusing everything, so backoff starts over.
      if (entry !== batch[0]) failures = 0;
      if (!RETRYABLE_CODES.has(error.code)) {
        failures = 0;
        deps.onRejected(entry, error);
      } else if (error.code !== 'conflict') {
        deps.onRetry(entry, error);
        if (error.code === 'token_expired') deps.refreshToken();
        await sleep(Math.max(50, fullJitterDelay(failures++, deps.backoff, deps.random)), mine);
      } else {
        deps.reconnect('connection superseded (conflict)');
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
