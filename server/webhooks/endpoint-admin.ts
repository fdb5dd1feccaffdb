import { randomBytes } from 'node:crypto';
import type { EndpointRecord } from './endpoints.ts';
import type { EventType } from './events.ts';
import type { OutboxStore, SealedEvent } from './outbox.ts';
import { generateSecret } from './signing.ts';
import { checkWebhookUrl, type UrlSafetyOptions } from './url-safety.ts';

/** How long the old secret keeps signing after a rotation (receivers switch within it). */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** Most endpoints one deployment may register (each costs a delivery per event). */
export const MAX_ENDPOINTS = 100;

export interface EndpointAdmin {
  create(input: { url: string; events: EventType[]; description?: string }): Promise<{ endpoint: EndpointRecord; secret: string }>;
  list(): Promise<EndpointRecord[]>;
  remove(id: string): Promise<boolean>;
  /** A new secret; the old one signs too until `ROTATION_OVERLAP_MS` from now. null for an unknown id. */
  rotate(id: string): Promise<{ secret: string; previousValidUntil: number } | null>;
  /** Sends the dead letters failed since `since` again, each user's in order; null for an unknown id. */
  replay(id: string, since: number): Promise<number | null>;
  /** Registers (or rewrites) the endpoints of WEBHOOKS_FILE, keeping their delivery history. */
  declare(endpoints: ReadonlyArray<{ id: string; url: string; events: EventType[]; secrets: string[]; description: string | null }>): Promise<void>;
}

/** Endpoint management over the shared store; `changed` tells this node's dispatcher at once. */
export function createEndpointAdmin(deps: { store: OutboxStore; safety: UrlSafetyOptions; changed: () => Promise<void>; now?: () => number }): EndpointAdmin {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const find = async (id: string) => (await store.listEndpoints()).find((e) => e.id === id) ?? null;
  return {
    async create(input) {
      checkWebhookUrl(input.url, deps.safety);
      if ((await store.listEndpoints()).length >= MAX_ENDPOINTS) throw new RangeError(`at most ${MAX_ENDPOINTS} webhook endpoints`);
      const secret = generateSecret().text;
      const endpoint: EndpointRecord = {
        id: `ep_${randomBytes(12).toString('base64url')}`,
        url: input.url,
        events: [...new Set(input.events)],
        ...(input.description !== undefined ? { description: input.description } : {}),
        secrets: [{ secret, until: null }],
        createdAt: now(),
        source: 'api',
        disabled: null,
        failingSince: null,
      };
      await store.saveEndpoint(endpoint);
      await deps.changed();
      return { endpoint, secret };
    },
    list: () => store.listEndpoints(),
    async remove(id) {
      const removed = await store.deleteEndpoint(id);
      if (removed) await deps.changed();
      return removed;
    },
    async rotate(id) {
      const endpoint = await find(id);
      if (!endpoint) return null;
      const at = now();
      const secret = generateSecret().text;
      const previousValidUntil = at + ROTATION_OVERLAP_MS;
      const kept = endpoint.secrets.filter((s) => s.until === null || s.until > at).map((s) => ({ secret: s.secret, until: s.until ?? previousValidUntil }));
      await store.saveEndpoint({ ...endpoint, secrets: [{ secret, until: null }, ...kept].slice(0, 4) });
      await deps.changed();
      return { secret, previousValidUntil };
    },
    async replay(id, since) {
      const endpoint = await find(id);
      if (!endpoint) return null;
      const letters = await store.deadLetters(id, since, 10_000, true);
      const byUser = new Map<string, SealedEvent[]>();
      for (const letter of letters) byUser.set(letter.userId, [...(byUser.get(letter.userId) ?? []), letter.event]);
      for (const [userId, events] of byUser) {
        await store.requeue(userId, events, id);
        await store.markPending([userId]);
      }
      // A replay re-enables an endpoint disabled for failing: the owner says it works again.
      if (endpoint.disabled !== null) await store.saveEndpoint({ ...endpoint, disabled: null, failingSince: null });
      await deps.changed();
      return letters.length;
    },
    async declare(declared) {
      const existing = new Map((await store.listEndpoints()).map((e) => [e.id, e]));
      for (const d of declared) {
        const before = existing.get(d.id);
        await store.saveEndpoint({
          id: d.id,
          url: d.url,
          events: d.events,
          ...(d.description !== null ? { description: d.description } : {}),
          secrets: d.secrets.map((secret) => ({ secret, until: null })),
          createdAt: before?.createdAt ?? now(),
          source: 'file',
          disabled: before?.disabled ?? null,
          failingSince: before?.failingSince ?? null,
        });
      }
      await deps.changed();
    },
  };
}
