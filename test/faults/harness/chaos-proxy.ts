import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Rng } from './rng.ts';
import { createFrameSplitter, type WsFrame } from './ws-frames.ts';

/**
 * A TCP proxy for WebSocket traffic between clients and one gateway that injects network trouble.
 *
 * `tc netem` is not available on this kernel (no sch_netem module), so the trouble is made here, on whole
 * WebSocket frames, never on raw TCP chunks (cutting a frame would corrupt the stream, not test the product):
 * - delay with jitter, in order per direction (what TCP shows the application when packets are delayed,
 *   lost and retransmitted, duplicated or reordered on the wire: late bytes, never wrong bytes);
 * - stalls (a burst of loss: nothing moves for 1-3 s), resets (RST on both sides) and black holes (nothing
 *   moves for 15 s, longer than the ping interval + timeout, so only the heartbeat can find them; bytes are
 *   held, never dropped, as TCP would retransmit them, and flow again when the trouble ends);
 * - at the application level, on socket.io event packets only: duplicated client requests (a resend of the
 *   same seq racing the first), duplicated `change` pushes, and `change` pushes swapped with the next one
 *   (what a device sees when two nodes publish versions n and n+1 in the opposite order).
 */
export interface ChaosMode {
  delayMs: number;
  jitterMs: number;
  /** Share of client event packets and of `change` pushes sent twice. */
  duplicateRate: number;
  /** Share of `change` pushes held back and delivered after the next server frame. */
  reorderRate: number;
  /** Per connection, per second. */
  resetPerSec: number;
  stallPerSec: number;
  blackholePerSec: number;
}

export interface ChaosStats {
  connections: number;
  frames: number;
  duplicated: number;
  reordered: number;
  resets: number;
  stalls: number;
  blackholes: number;
}

export interface ChaosProxy {
  readonly port: number;
  readonly url: string;
  readonly stats: ChaosStats;
  /** null: clean pass-through. */
  setMode(mode: ChaosMode | null): void;
  close(): Promise<void>;
}

interface Direction {
  out: Socket;
  queue: Array<{ at: number; bytes: Buffer }>;
  lastAt: number;
  timer: NodeJS.Timeout | null;
  held: { bytes: Buffer; timer: NodeJS.Timeout } | null;
}

interface Pair {
  client: Socket;
  server: Socket;
  up: Direction;
  down: Direction;
  stalledUntil: number;
}

export async function startChaosProxy(options: { targetPort: number; rng: Rng }): Promise<ChaosProxy> {
  const { rng } = options;
  let mode: ChaosMode | null = null;
  const pairs = new Set<Pair>();
  const stats: ChaosStats = { connections: 0, frames: 0, duplicated: 0, reordered: 0, resets: 0, stalls: 0, blackholes: 0 };

  const delay = () => (mode ? Math.max(0, mode.delayMs + (rng.next() * 2 - 1) * mode.jitterMs) : 0);

  const flush = (pair: Pair, dir: Direction) => {
    dir.timer = null;
    const now = Date.now();
    if (now < pair.stalledUntil) {
      dir.timer = setTimeout(() => flush(pair, dir), pair.stalledUntil - now);
      return;
    }
    while (dir.queue.length > 0 && (dir.queue[0]?.at ?? Infinity) <= now) {
      const item = dir.queue.shift();
      if (item && !dir.out.destroyed) dir.out.write(item.bytes);
    }
    const next = dir.queue[0];
    if (next) dir.timer = setTimeout(() => flush(pair, dir), Math.max(0, next.at - now));
  };

  const enqueue = (pair: Pair, dir: Direction, bytes: Buffer) => {
    // In order per direction, as TCP delivers: a frame never overtakes the one before it.
    const at = Math.max(Date.now() + delay(), dir.lastAt);
    dir.lastAt = at;
    dir.queue.push({ at, bytes });
    if (!dir.timer) dir.timer = setTimeout(() => flush(pair, dir), Math.max(0, at - Date.now()));
  };

  const releaseHeld = (pair: Pair, dir: Direction) => {
    if (!dir.held) return;
    clearTimeout(dir.held.timer);
    const bytes = dir.held.bytes;
    dir.held = null;
    enqueue(pair, dir, bytes);
  };

  const onFrame = (pair: Pair, dir: Direction, frame: WsFrame, upstream: boolean) => {
    stats.frames += 1;
    const text = frame.text ?? '';
    const isEvent = frame.fin && text.startsWith('42');
    const isChange = !upstream && text.startsWith('42["change"');
    if (mode && isChange && !dir.held && rng.chance(mode.reorderRate)) {
      stats.reordered += 1;
      dir.held = { bytes: frame.raw, timer: setTimeout(() => releaseHeld(pair, dir), 400) };
      return;
    }
    enqueue(pair, dir, frame.raw);
    if (mode && (isChange || (upstream && isEvent)) && rng.chance(mode.duplicateRate)) {
      stats.duplicated += 1;
      enqueue(pair, dir, frame.raw);
    }
    releaseHeld(pair, dir);
  };

  /** Passes the HTTP upgrade through (without extensions, so frames stay independent), then splits frames. */
  const pipe = (pair: Pair, from: Socket, dir: Direction, upstream: boolean) => {
    let head: Buffer = Buffer.alloc(0);
    let splitter: ReturnType<typeof createFrameSplitter> | null = null;
    from.on('data', (chunk: Buffer) => {
      if (splitter) {
        for (const frame of splitter.push(chunk)) onFrame(pair, dir, frame, upstream);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      let header = head.subarray(0, end + 4).toString('latin1');
      if (upstream) header = header.replace(/^sec-websocket-extensions:.*\r\n/gim, '');
      enqueue(pair, dir, Buffer.from(header, 'latin1'));
      splitter = createFrameSplitter();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) for (const frame of splitter.push(rest)) onFrame(pair, dir, frame, upstream);
    });
  };

  const teardown = (pair: Pair, reset: boolean) => {
    if (!pairs.delete(pair)) return;
    for (const dir of [pair.up, pair.down]) {
      if (dir.timer) clearTimeout(dir.timer);
      if (dir.held) clearTimeout(dir.held.timer);
    }
    for (const s of [pair.client, pair.server]) {
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
  };

  const server: Server = createServer((client) => {
    stats.connections += 1;
    const upstreamSocket = connect({ host: '127.0.0.1', port: options.targetPort });
    const direction = (out: Socket): Direction => ({ out, queue: [], lastAt: 0, timer: null, held: null });
    const pair: Pair = { client, server: upstreamSocket, up: direction(upstreamSocket), down: direction(client), stalledUntil: 0 };
    pairs.add(pair);
    pipe(pair, client, pair.up, true);
    pipe(pair, upstreamSocket, pair.down, false);
    for (const s of [client, upstreamSocket]) {
      s.on('error', () => teardown(pair, false));
      s.on('close', () => teardown(pair, false));
    }
  });

  const ticker = setInterval(() => {
    if (!mode) return;
    const dt = 0.25;
    for (const pair of [...pairs]) {
      if (Date.now() < pair.stalledUntil) continue;
      if (rng.chance(mode.resetPerSec * dt)) {
        stats.resets += 1;
        teardown(pair, true);
      } else if (rng.chance(mode.blackholePerSec * dt)) {
        stats.blackholes += 1;
        pair.stalledUntil = Date.now() + 15_000;
      } else if (rng.chance(mode.stallPerSec * dt)) {
        stats.stalls += 1;
        pair.stalledUntil = Date.now() + rng.int(1000, 3000);
      }
    }
  }, 250);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('chaos proxy has no port');

  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    stats,
    setMode(next) {
      mode = next;
      if (!next) {
        // The network heals: stalls and black holes end, whatever they held flows (late) in order.
        for (const pair of pairs) {
          pair.stalledUntil = 0;
          for (const dir of [pair.up, pair.down]) {
            releaseHeld(pair, dir);
            if (dir.timer) clearTimeout(dir.timer);
            dir.lastAt = 0;
            for (const item of dir.queue) item.at = Math.min(item.at, Date.now());
            flush(pair, dir);
          }
        }
      }
    },
    async close() {
      clearInterval(ticker);
      for (const pair of [...pairs]) teardown(pair, false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
