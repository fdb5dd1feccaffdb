import { SyncClientError } from '../errors.js';

/** Failures in a row of the same kind after which the client stops (status `unauthorized`, `ready` rejects). */
export const GIVE_UP_AFTER = 3;

/**
 * Counts the credential failures that retrying cannot fix by itself: a `getToken` that keeps throwing, and a
 * backend that keeps returning tokens the server finds expired. Either would otherwise retry forever while
 * `ready` never settles. A connection that opens resets both.
 */
export interface GiveUp {
  /** getToken failed; the error to stop with once it failed GIVE_UP_AFTER times in a row, else null. */
  tokenFailed(cause: unknown): SyncClientError | null;
  /** The server refused a token getToken had just returned as expired; the error to stop with, or null. */
  freshTokenExpired(message: string): SyncClientError | null;
  connected(): void;
}

const causeText = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

export function createGiveUp(): GiveUp {
  let tokenFailures = 0;
  let expired = 0;
  return {
    tokenFailed(cause) {
      if (++tokenFailures < GIVE_UP_AFTER) return null;
      return new SyncClientError(
        'unauthorized',
        `getToken failed ${tokenFailures} times in a row (${causeText(cause)}); the client stopped: fix getToken, then call goOnline()`,
        { cause },
      );
    },
    freshTokenExpired(message) {
      if (++expired < GIVE_UP_AFTER) return null;
      return new SyncClientError(
        'unauthorized',
        `getToken returned ${expired} tokens in a row that the server refused as expired (${message}): mint a new token on every call, with exp ahead of the server's clock; the client stopped until goOnline()`,
      );
    },
    connected() {
      tokenFailures = 0;
      expired = 0;
    },
  };
}
