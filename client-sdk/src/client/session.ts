import { DEFAULT_WATCH_RULES, PUSH_SCHEMAS, type Device, type SyncPayload, type WatchRules } from '../protocol/index.js';
import { request } from '../connection/request.js';
import type { SessionHooks } from '../connection/connection-manager.js';
import type { ClientSocket } from '../connection/socket.js';
import { SyncClientError } from '../errors.js';
import type { ClockOffset } from '../sync/clock-offset.js';
import type { SyncEngine } from '../sync/sync-engine.js';
import type { Timers } from '../util/timers.js';
import type { Sender } from './sender.js';

export interface SessionDeps {
  engine: SyncEngine;
  sender: Sender;
  clock: ClockOffset;
  timers: Timers;
  requestTimeoutMs: number;
  onDevices(devices: Device[]): void;
  onError(error: SyncClientError): void;
}

export interface Session extends SessionHooks {
  /** Asks the current connection for what the client missed (gap or epoch change); a no-op while offline. */
  resync(): void;
  readonly nodeId: string | null;
  /** The server's resume rules, from its last sync answer (DEFAULT_WATCH_RULES before one, or from an older server). */
  readonly watchRules: WatchRules;
}

/** The latest server time a sync answer proves (the user's keys may live on a Redis with its own clock). */
function newestServerTime(sync: SyncPayload): number | null {
  const times = sync.kind === 'changes' ? sync.changes.map((c) => c.at) : sync.state.watch.map((e) => e.updatedAt);
  return times.length === 0 ? null : Math.max(...times);
}

function sameRules(a: WatchRules, b: WatchRules): boolean {
  return a.minResumePct === b.minResumePct && a.maxResumePct === b.maxResumePct && a.minDurationSec === b.minDurationSec && a.creditsSec === b.creditsSec;
}

/** One connection's life: pushes in, `sync:since` after connecting and when a gap stays open, then the outbox out. */
export function createSession(deps: SessionDeps): Session {
  let current: ClientSocket | null = null;
  let nodeId: string | null = null;
  let watchRules: WatchRules = DEFAULT_WATCH_RULES;
  let running: { socket: ClientSocket; done: Promise<string>; again: boolean } | null = null;

  const invalid = (what: string) => deps.onError(new SyncClientError('internal', `ignored a server message that does not match the protocol: ${what}`));

  const syncOnce = async (socket: ClientSocket): Promise<{ nodeId: string; more: boolean }> => {
    const sentAt = deps.timers.now();
    const asked = deps.engine.beginSync();
    const answer = await request(socket, 'sync:since', { since: deps.engine.cursor() }, deps.requestTimeoutMs);
    if (answer.kind === 'ok') {
      const receivedAt = deps.timers.now();
      deps.clock.sample(sentAt, receivedAt, answer.value.serverTime);
      const newest = newestServerTime(answer.value.sync);
      if (newest !== null) deps.clock.observe(newest, receivedAt);
      // An answer for a socket that was replaced meanwhile could be older than what the new one brought.
      if (current !== socket) throw new SyncClientError('unavailable', 'connection replaced during sync');
      nodeId = answer.value.nodeId;
      const rules = answer.value.watchRules;
      // Kept as the same object while unchanged: the views predict again only when the rules move.
      if (rules && !sameRules(rules, watchRules)) watchRules = rules;
      deps.engine.applySync(answer.value.sync, asked);
      deps.onDevices(answer.value.devices);
      return { nodeId: answer.value.nodeId, more: answer.value.sync.kind === 'changes' && answer.value.sync.more === true };
    }
    if (answer.kind === 'error') throw new SyncClientError(answer.error.code, answer.error.message);
    if (answer.kind === 'invalid') invalid(answer.detail);
    throw new SyncClientError('unavailable', answer.kind === 'lost' ? 'sync:since got no answer' : answer.detail);
  };

  /** One sync at a time per socket; a request during one runs another right after it (state may have moved). */
  const sync = (socket: ClientSocket): Promise<string> => {
    if (running?.socket === socket) {
      running.again = true;
      return running.done;
    }
    const slot = { socket, again: false, done: Promise.resolve('') };
    slot.done = (async () => {
      try {
        // A long catch-up comes in pages of LIMITS.syncBytes: each one moves the cursor on by at least one change.
        let answer = await syncOnce(socket);
        while ((answer.more || slot.again) && current === socket) {
          slot.again = false;
          answer = await syncOnce(socket);
        }
        return answer.nodeId;
      } finally {
        if (running === slot) running = null;
      }
    })();
    running = slot;
    return slot.done;
  };

  return {
    attach(socket) {
      socket.on('change', (payload) => {
        const parsed = PUSH_SCHEMAS.change.safeParse(payload);
        if (!parsed.success) return invalid('change');
        deps.clock.observe(parsed.data.at, deps.timers.now());
        deps.engine.receive(parsed.data, 'push');
      });
      socket.on('devices', (payload) => {
        const parsed = PUSH_SCHEMAS.devices.safeParse(payload);
        if (!parsed.success) return invalid('devices');
        deps.onDevices(parsed.data.devices);
      });
    },
    async open(socket) {
      current = socket;
      const id = await sync(socket);
      if (current !== socket) throw new SyncClientError('unavailable', 'connection closed during sync');
      deps.sender.start(socket);
      return { nodeId: id };
    },
    closed(socket) {
      if (current !== socket) return;
      current = null;
      nodeId = null;
      deps.sender.stop();
    },
    resync() {
      const socket = current;
      if (!socket) return;
      sync(socket).catch((error: unknown) => {
        if (error instanceof SyncClientError && current === socket) deps.onError(error);
      });
    },
    get nodeId() {
      return nodeId;
    },
    get watchRules() {
      return watchRules;
    },
  };
}
