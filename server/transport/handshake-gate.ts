import type { IncomingHttpHeaders } from 'node:http';

export interface HandshakeGateOptions {
  /** Handshakes running at once on this node. */
  concurrency: number;
  /** Handshakes waiting for a slot; past it `enter` answers null. */
  queue: number;
  /** Handshakes running or waiting from one client address. */
  perIp: number;
}

/** Bounds the handshakes a node works on: a flood of them waits in a bounded queue or is refused. */
export interface HandshakeGate {
  /** Resolves with a release function once the handshake may run; null (at once) when it must be refused. */
  enter(ip: string): Promise<() => void> | null;
  readonly running: number;
  readonly waiting: number;
}

export function createHandshakeGate(options: HandshakeGateOptions): HandshakeGate {
  let running = 0;
  const waiting: Array<() => void> = [];
  const perIp = new Map<string, number>();

  const release = (ip: string) => {
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left <= 0) perIp.delete(ip);
    else perIp.set(ip, left);
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  return {
    enter(ip) {
      const fromIp = perIp.get(ip) ?? 0;
      if (fromIp >= options.perIp) return null;
      if (running >= options.concurrency && waiting.length >= options.queue) return null;
      perIp.set(ip, fromIp + 1);
      let released = false;
      const done = () => {
        if (released) return;
        released = true;
        release(ip);
      };
      if (running < options.concurrency) {
        running += 1;
        return Promise.resolve(done);
      }
      // A released slot passes straight to the next waiter, so `running` stays at the bound.
      return new Promise((resolve) => waiting.push(() => resolve(done)));
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

/**
 * The client's address: the socket's peer, or with `trustProxy` hops of proxies in front, the address the
 * outermost trusted proxy saw (counted from the right of X-Forwarded-For: entries further left are the
 * client's own claims).
 */
export function clientAddress(headers: IncomingHttpHeaders, peer: string | undefined, trustProxy: number): string {
  if (trustProxy > 0) {
    const raw = headers['x-forwarded-for'];
    const chain = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    const hop = chain[Math.max(0, chain.length - trustProxy)];
    if (hop) return hop.slice(0, 64);
  }
  return peer ?? 'unknown';
}
