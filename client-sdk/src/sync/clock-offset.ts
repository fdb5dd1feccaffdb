/** Estimates server time from samples taken around requests whose answer carries `serverTime`. */
export interface ClockOffset {
  /** Adds a sample: local send and receive times of a request and the server time in its answer. */
  sample(sentAt: number, receivedAt: number, serverTime: number): void;
  /** Adds a one-way fact: the server's clock read `serverTime` before we received the message at `receivedAt`. */
  observe(serverTime: number, receivedAt: number): void;
  /** Milliseconds to add to local time to get server time (0 until the first sample or bound). */
  readonly offsetMs: number;
  toServerTime(local: number): number;
}

/**
 * NTP-style: the server read its clock about half a round trip after we sent, so
 * offset = serverTime - (sentAt + receivedAt) / 2. The sample with the shortest round trip among the
 * recent ones is the least distorted by queueing, so that one wins.
 *
 * A busy client (a page rendering while the answer waits) receives late, which makes the midpoint late and the
 * estimate fall behind: its reports would then look older than changes it has already seen. Every change that
 * arrives proves the server's clock was at least `change.at` when it arrived, so the estimate never stays below
 * the recent ones of those bounds, and a report made after seeing a change is stamped after it.
 */
export function createClockOffset(keep = 8): ClockOffset {
  const samples: Array<{ rtt: number; offset: number }> = [];
  const floors: number[] = [];
  let offsetMs = 0;

  const recompute = () => {
    let best = samples[0];
    for (const s of samples) if (best === undefined || s.rtt < best.rtt) best = s;
    const offset = Math.max(best === undefined ? -Infinity : Math.round(best.offset), Math.ceil(Math.max(-Infinity, ...floors)));
    offsetMs = Number.isFinite(offset) ? offset : 0;
  };

  return {
    sample(sentAt, receivedAt, serverTime) {
      const rtt = Math.max(0, receivedAt - sentAt);
      samples.push({ rtt, offset: serverTime - (sentAt + receivedAt) / 2 });
      if (samples.length > keep) samples.shift();
      recompute();
    },
    observe(serverTime, receivedAt) {
      // One ms more: a report in the same ms must still be later, since a tie loses on the server.
      floors.push(serverTime + 1 - receivedAt);
      if (floors.length > keep) floors.shift();
      recompute();
    },
    get offsetMs() {
      return offsetMs;
    },
    toServerTime(local) {
      return local + offsetMs;
    },
  };
}
