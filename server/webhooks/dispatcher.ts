import type { Logger } from '../observability/logger.ts';
import type { WebhookMetrics } from '../observability/webhook-metrics.ts';
import type { EndpointRecord } from './endpoints.ts';
import { EVENT_TYPES, OPT_IN_EVENTS, publicEvent, subscribes, type EventType } from './events.ts';
import { demandOf, FRESH_STATE, type DeliveryState, type EventDemand, type OutboxStore, type SealedBatch, type SealedEvent } from './outbox.ts';
import { createEndpointHealth, type EndpointHealthKeeper } from './endpoint-health.ts';
import { nextRetryDelay, type RetryPolicy } from './retry-policy.ts';
import { createLimiter, type Limiter } from './limiter.ts';
import type { SendOutcome, Sender } from './sender.ts';

/** How the dispatcher paces itself (server/config/webhooks.ts fills it from the environment). */
export interface DispatcherSettings {
  /** cart.updated and watch.progress wait this long after their last change. @default 2000 */
  debounceMs: number;
  /** device.disconnected waits this long; a reconnect within it cancels it. @default 3000 */
  graceMs: number;
  retry: RetryPolicy;
  /** Deliveries in flight per endpoint on one node. @default 8 */
  concurrencyPerEndpoint: number;
  /** Users handled at once by one node. @default 32 */
  usersInParallel: number;
  /** How often the shared pending index is read. @default 250 */
  pollMs: number;
  /** How often every outbox is looked for (the safety net for hints lost with their node). @default 30000 */
  sweepMs: number;
  /** How often the endpoint list is re-read (a change made on another node is seen within this). @default 2000 */
  refreshMs: number;
  /** A user's lease; renewed per turn, so another node takes over this long after a node died. @default 10000 */
  leaseMs: number;
  /** GET /v1/events records every event type but the opt-in ones, even with no endpoint. @default false */
  pull: boolean;
  /** Also record the opt-in types (watch.progress) for the pull feed. @default false */
  pullOptIn: boolean;
}

/** The pull feed's target id in the users' delivery states. */
export const PULL_TARGET = 'pull';
/** Entries read per user per turn. */
const TURN_LIMIT = 200;

export interface Dispatcher extends EventDemand {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Re-reads the endpoints now (after an admin change on this node). */
  refresh(): Promise<void>;
  /** One turn over whatever is due (tests and the bench drive it too). */
  tick(): Promise<void>;
}

export interface DispatcherDeps {
  store: OutboxStore;
  nodeId: string;
  settings: DispatcherSettings;
  send: Sender;
  logger: Logger;
  /** Dead letters, disabled endpoints and the backlog this node last saw. */
  metrics?: Pick<WebhookMetrics, 'deadLettered' | 'endpointDisabled' | 'queue'>;
  now?: () => number;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, settings, logger } = deps;
  const now = deps.now ?? Date.now;
  const owner = `${deps.nodeId}:${Math.random().toString(36).slice(2, 10)}`;
  let endpoints: EndpointRecord[] = [];
  let demand = settings.pull ? pullDemand(settings) : '';
  const hints = new Set<string>();
  const busy = new Set<string>();
  const limiters = new Map<string, Limiter>();
  const users = createLimiter(settings.usersInParallel);
  const health: EndpointHealthKeeper = createEndpointHealth({
    store,
    policy: settings.retry,
    logger,
    now,
    onChange: () => recompute(),
    onDisable: (id, reason) => deps.metrics?.endpointDisabled(id, reason),
  });
  // The backlog of the users this node delivers for: what each has left and since when (for the queue gauges).
  const backlog = new Map<string, { remaining: number; oldestAt: number }>();
  const reportQueue = () => {
    let depth = 0;
    let oldest: number | null = null;
    for (const entry of backlog.values()) {
      depth += entry.remaining;
      oldest = oldest === null ? entry.oldestAt : Math.min(oldest, entry.oldestAt);
    }
    deps.metrics?.queue({ depth, oldestPendingAtMs: oldest });
  };
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let running: Promise<void> | null = null;
  let lastSweep = 0;
  let lastRefresh = 0;
  let seenVersion = '';

  const recompute = () => {
    const types = new Set<EventType>(endpoints.filter((e) => health.isActive(e.id)).flatMap((e) => e.events));
    if (settings.pull) for (const t of demandTypes(settings)) types.add(t);
    if (types.size > 0) types.add('events.dropped');
    demand = demandOf(types);
  };
  const refresh = async () => {
    seenVersion = await store.endpointsVersion();
    endpoints = await store.listEndpoints();
    health.adopt(endpoints);
    lastRefresh = now();
    recompute();
  };
  const limiterOf = (id: string) => {
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = createLimiter(settings.concurrencyPerEndpoint);
      limiters.set(id, limiter);
    }
    return limiter;
  };

  /** Delivers one endpoint's share of the batch in order; answers when it must be looked at again (null: done). */
  const deliverTo = async (userId: string, endpoint: EndpointRecord, batch: SealedBatch): Promise<number | null> => {
    let state: DeliveryState = batch.states.get(endpoint.id) ?? FRESH_STATE;
    const before = JSON.stringify(state);
    let again: number | null = null;
    for (const event of batch.events) {
      if (event.seq <= state.cursor) continue;
      if (!wants(endpoint, event)) {
        state = { ...state, cursor: event.seq };
        continue;
      }
      if (state.nextAt > now()) {
        again = state.nextAt;
        break;
      }
      if (!health.isActive(endpoint.id)) break;
      const outcome: SendOutcome = await limiterOf(endpoint.id)(() => deps.send(endpoint, publicEvent(userId, event as SealedEvent & { type: EventType })));
      if (outcome.kind === 'delivered') {
        health.report(endpoint.id, 'delivered');
        state = { cursor: event.seq, attempts: 0, nextAt: 0 };
        continue;
      }
      if (outcome.kind === 'gone') {
        health.report(endpoint.id, 'gone');
        break;
      }
      health.report(endpoint.id, 'failed');
      const attempts = state.attempts + 1;
      const delay = outcome.kind === 'failed' ? null : nextRetryDelay(settings.retry, attempts, { retryAfterMs: outcome.afterMs });
      if (delay === null) {
        await store.deadLetter(endpoint.id, { userId, event, failedAt: now(), reason: outcome.reason });
        deps.metrics?.deadLettered(endpoint.id);
        logger.warn({ endpointId: endpoint.id, eventId: event.id, attempts, reason: outcome.reason }, 'webhook event dead-lettered');
        state = { cursor: event.seq, attempts: 0, nextAt: 0 };
        continue;
      }
      state = { ...state, attempts, nextAt: now() + delay };
      again = state.nextAt;
      break;
    }
    if (JSON.stringify(state) !== before) await store.saveState(userId, endpoint.id, state);
    batch.states.set(endpoint.id, state);
    return again;
  };

  /** The pull feed takes everything it wants at once; it cannot fail but by the store failing. */
  const feed = async (userId: string, batch: SealedBatch) => {
    const state = batch.states.get(PULL_TARGET) ?? FRESH_STATE;
    const fresh = batch.events.filter((e) => e.seq > state.cursor);
    const last = fresh.at(-1);
    if (!last) return;
    const types = demandTypes(settings);
    const wanted = fresh.filter((e): e is SealedEvent & { type: EventType } => e.type !== 'skip' && e.only === undefined && types.has(e.type));
    await store.appendFeed(wanted.map((e) => publicEvent(userId, e)));
    const next = { cursor: last.seq, attempts: 0, nextAt: 0 };
    await store.saveState(userId, PULL_TARGET, next);
    batch.states.set(PULL_TARGET, next);
  };

  const turn = async (userId: string) => {
    if (busy.has(userId)) return;
    busy.add(userId);
    try {
      if (!(await store.claim(userId, owner, settings.leaseMs))) {
        backlog.delete(userId); // another node delivers for this user now
        return;
      }
      try {
        const batch = await store.seal(userId, { debounceMs: settings.debounceMs, graceMs: settings.graceMs, limit: TURN_LIMIT });
        const targets = endpoints.filter((e) => health.isActive(e.id));
        const waits = await Promise.all(targets.map((e) => deliverTo(userId, e, batch)));
        if (settings.pull) await feed(userId, batch);
        const ids = [...targets.map((e) => e.id), ...(settings.pull ? [PULL_TARGET] : [])];
        const lastSealed = batch.events.at(-1)?.seq ?? 0;
        const upTo = Math.min(lastSealed, ...ids.map((id) => batch.states.get(id)?.cursor ?? 0));
        const remaining = await store.trim(userId, upTo);
        const oldestLeft = batch.events.find((e) => e.seq > upTo);
        if (remaining === 0) backlog.delete(userId);
        else backlog.set(userId, { remaining, oldestAt: oldestLeft?.at ?? now() });
        const dueTimes = [...waits.filter((w): w is number => w !== null), ...(batch.openDueAt !== null ? [batch.openDueAt] : [])];
        if (batch.events.length >= TURN_LIMIT && upTo > 0) dueTimes.push(now());
        const next = remaining === 0 ? null : dueTimes.length > 0 ? Math.min(...dueTimes) : now() + settings.pollMs * 4;
        await store.settle(userId, next);
      } finally {
        await store.release(userId, owner);
      }
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err), userId }, 'webhook turn failed; the user stays pending');
    } finally {
      busy.delete(userId);
    }
  };

  const tick = async () => {
    if (now() - lastRefresh >= settings.refreshMs || (await store.endpointsVersion()) !== seenVersion) await refresh();
    if (now() - lastSweep >= settings.sweepMs) {
      lastSweep = now();
      await store.sweep();
    }
    const local = [...hints];
    hints.clear();
    // The index is what another node finds should this one die before delivering.
    await store.markPending(local);
    const due = await store.dueUsers(500);
    const all = [...new Set([...local, ...due])];
    await Promise.all(all.map((u) => users(() => turn(u))));
    reportQueue();
  };

  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'webhook dispatch tick failed'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(loop, hints.size > 0 ? 0 : settings.pollMs);
      });
  };

  return {
    current: () => demand,
    recorded(userId) {
      hints.add(userId);
      // A hint wakes an idle loop early, a few ms later so that a burst shares one turn.
      if (!stopped && running === null && timer !== null) {
        clearTimeout(timer);
        timer = setTimeout(loop, 5);
      }
    },
    async start() {
      await refresh();
      stopped = false;
      lastSweep = 0;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      // What is still pending stays in the index: another node (or this one after a restart) delivers it.
      if (hints.size > 0) await store.markPending([...hints]).catch(() => {});
    },
    refresh,
    tick,
  };
}

function wants(endpoint: EndpointRecord, event: SealedEvent): boolean {
  if (event.only !== undefined) return event.only === endpoint.id && event.type !== 'skip';
  return subscribes(endpoint.events, event.type);
}

function demandTypes(settings: DispatcherSettings): Set<EventType> {
  return new Set(EVENT_TYPES.filter((t) => settings.pullOptIn || !OPT_IN_EVENTS.includes(t)));
}

function pullDemand(settings: DispatcherSettings): string {
  return demandOf(demandTypes(settings));
}
