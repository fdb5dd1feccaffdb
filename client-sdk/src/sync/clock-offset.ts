/** Estimates server time from samples taken around requests whose answer carries `serverTime`. */
export interface ClockOffset {
  /** Adds a sample: local send and receive times of a request and the server time in its answer. */
  sample(sentAt: number, receivedAt: number, serverTime: number): void;
  /** Milliseconds to add to local time to get server time (0 until the first sample). */
  readonly offsetMs: number;
  toServerTime(local: number): number;
}

/**
 * NTP-style: the server read its clock about half a round trip after we sent, so
 * offset = serverTime - (sentAt + receivedAt) / 2. The sample with the shortest round trip among the
 * recent ones is the least distorted by queueing, so that one wins.
 */
export function createClockOffset(keep = 8): ClockOffset {
  const samples: Array<{ rtt: number; offset: number }> = [];
  let offsetMs = 0;
  return {
    sample(sentAt, receivedAt, serverTime) {
      const rtt = Math.max(0, receivedAt - sentAt);
      samples.push({ rtt, offset: serverTime - (sentAt + receivedAt) / 2 });
      if (samples.length > keep) samples.shift();
      let best = samples[0];
      for (const s of samples) if (best === undefined || s.rtt < best.rtt) best = s;
      offsetMs = best ? Math.round(best.offset) : 0;
    },
    get offsetMs() {
      return offsetMs;
    },
    toServerTime(local) {
      return local + offsetMs;
    },
  };
}
