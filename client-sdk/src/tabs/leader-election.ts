import type { LockManagerLike } from './platform.js';

/**
 * Runs for leader of `name`: the Web Lock is exclusive, so one tab at a time runs `lead`, and the browser
 * grants it to the next waiting tab as soon as the holder's `lead` settles or its tab goes away (closed,
 * crashed, navigated). Returns a function that withdraws a tab that is still waiting.
 */
export function runForLeader(locks: LockManagerLike, name: string, lead: () => Promise<void>): () => void {
  const withdraw = new AbortController();
  locks.request(name, { signal: withdraw.signal }, lead).catch(() => {
    // An AbortError: the tab withdrew before it was elected.
  });
  return () => withdraw.abort();
}
