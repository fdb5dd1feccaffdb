import type { EndpointRecord } from './endpoints.ts';
import type { EventType } from './events.ts';

/**
 * The users' webhook outboxes. Every event is recorded by the store's own atomic write of the change that
 * causes it, in the user's slot (Redis: `{u:<id>}:outbox`, see scripts/outbox.lua; memory: the same shape
 * in-process), so a change and its event exist together or not at all. The dispatcher seals what is due,
 * delivers it per endpoint in order and trims what every target has passed.
 */

/** Bounds of one user's outbox (scripts/outbox.lua holds the same numbers). Past them the write still
 * succeeds and the event is counted instead; the count is delivered as one `events.dropped`. */
export const OUTBOX_LIMITS = { entries: 10_000, bytes: 4 * 1024 * 1024 } as const;

/** Which event types someone wants now, as the stores take it, and where recorded events are announced. */
export interface EventDemand {
  /** '' when nothing subscribes (the store records nothing: one comparison per write), else ',a,b,'. */
  current(): string;
  /** Called after a store write that may have recorded events for the user (the dispatcher's hint). */
  recorded(userId: string): void;
}

export const NO_DEMAND: EventDemand = { current: () => '', recorded: () => {} };

/** The demand string of a set of event types. */
export function demandOf(types: Iterable<EventType>): string {
  const list = [...new Set(types)].sort();
  return list.length === 0 ? '' : `,${list.join(',')},`;
}

/** One event as sealed: its payload is final, every target and every retry sends these exact bytes. */
export interface SealedEvent {
  /** Order within the user's outbox (commit order, so version order). */
  seq: number;
  /** The stable `webhook-id`. */
  id: string;
  /** 'skip': a cancelled entry (a device that reconnected within the grace), delivered to no one. */
  type: EventType | 'skip';
  /** When the change was committed (ms, the store's clock). */
  at: number;
  /** The user's version after the change, for events caused by a change. */
  version?: number;
  data: Record<string, unknown>;
  /** Set on replayed dead letters: only this endpoint gets it again. */
  only?: string;
}

/** Where one target (an endpoint, or the pull feed) stands with one user's events. */
export interface DeliveryState {
  /** Highest seq done with (delivered, skipped or dead-lettered). */
  cursor: number;
  /** Failed attempts of the event after the cursor. */
  attempts: number;
  /** Not before this (ms) for the next attempt. */
  nextAt: number;
}

export const FRESH_STATE: DeliveryState = { cursor: 0, attempts: 0, nextAt: 0 };

export interface SealOptions {
  /** cart.updated and watch.progress wait this long after their last change. */
  debounceMs: number;
  /** device.disconnected waits this long; a reconnect within it cancels both. */
  graceMs: number;
  /** Most entries read in one turn. */
  limit: number;
}

export interface SealedBatch {
  /** Sealed events from the head, in order (stops at the first one still open). */
  events: SealedEvent[];
  /** Each target's state for this user (absent: FRESH_STATE). */
  states: Map<string, DeliveryState>;
  /** When the first open entry becomes due (ms), null when none is waiting. */
  openDueAt: number | null;
}

/** The pull feed's cursor and one page of it. */
export interface FeedPage {
  events: Array<{ cursor: string; event: PublicEvent }>;
  /** Pass as `after` for the next page. */
  next: string;
}

/** An event as receivers and the pull API see it (the webhook body; `id` is also the webhook-id header). */
export interface PublicEvent {
  id: string;
  type: EventType;
  /** ISO 8601 time of the change. */
  timestamp: string;
  data: Record<string, unknown>;
}

/** A failed event kept for replay. */
export interface DeadLetter {
  userId: string;
  event: SealedEvent;
  /** When it was given up on (ms). */
  failedAt: number;
  reason: string;
}

/** The store side of webhooks; both engines implement it. */
export interface OutboxStore {
  /** Users whose next look is due (score <= now) from the shared pending index. */
  dueUsers(limit: number): Promise<string[]>;
  /** Puts users in the pending index, due at `at` (ms, default now; an earlier due time is kept). */
  markPending(userIds: readonly string[], at?: number): Promise<void>;
  /** Drops the user from the index unless its outbox still holds events (then it is due at `at`). */
  settle(userId: string, at: number | null): Promise<void>;
  /** The safety net: every user that has an outbox (SCAN on each primary), put in the index. */
  sweep(): Promise<number>;
  /** Takes or renews the user's delivery lease for `owner`; false when another owner holds it. */
  claim(userId: string, owner: string, leaseMs: number): Promise<boolean>;
  release(userId: string, owner: string): Promise<void>;
  /** Seals the entries that are due (cart snapshot, grace, cancellation) and reads the head and the states. */
  seal(userId: string, options: SealOptions): Promise<SealedBatch>;
  saveState(userId: string, targetId: string, state: DeliveryState): Promise<void>;
  /** Removes the entries with seq <= upTo; answers how many remain. */
  trim(userId: string, upTo: number): Promise<number>;
  /** Appends events again (replay of dead letters) at the tail of the user's outbox, for one endpoint. */
  requeue(userId: string, events: readonly SealedEvent[], only: string): Promise<void>;
  /** Pending events of one user (for metrics and tests). */
  depth(userId: string): Promise<number>;
  deadLetter(endpointId: string, letter: DeadLetter): Promise<void>;
  /** Dead letters of the endpoint failed at or after `since` (ms), oldest first, at most `limit`; removes them when `take`. */
  deadLetters(endpointId: string, since: number, limit: number, take: boolean): Promise<DeadLetter[]>;
  /** The pull feed: appends events (a repeat of an id may appear twice: readers deduplicate by id). */
  appendFeed(events: readonly PublicEvent[]): Promise<void>;
  readFeed(after: string | null, limit: number): Promise<FeedPage>;
  /** The endpoints every node sees (Redis: one hash outside the users' slots). */
  listEndpoints(): Promise<EndpointRecord[]>;
  /** Changes whenever an endpoint is saved or deleted (nodes poll it to re-read the list). */
  endpointsVersion(): Promise<string>;
  saveEndpoint(endpoint: EndpointRecord): Promise<void>;
  deleteEndpoint(id: string): Promise<boolean>;
}

/**
 * A demand that can be attached later: the engine is made before the dispatcher that reads its outbox, so
 * the engine gets this relay and the dispatcher is attached once it exists.
 */
export function createDemandRelay(): EventDemand & { attach(target: EventDemand): void } {
  let target: EventDemand = NO_DEMAND;
  return {
    current: () => target.current(),
    recorded: (userId) => target.recorded(userId),
    attach(next) {
      target = next;
    },
  };
}
