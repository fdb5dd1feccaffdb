import { z } from 'zod';
import { EVENT_TYPES } from './events.ts';
import { FRESH_STATE, type DeliveryState, type SealedEvent } from './outbox.ts';

/**
 * One outbox entry as both stores keep it (scripts/outbox.lua writes the same JSON): `s` seq, `id`, `t` type,
 * `at`, `last` (latest change absorbed), `v` version, `k` + `o` while open (debounced), `d` data, `only`.
 */
export const OutboxEntry = z.object({
  s: z.number().int(),
  id: z.string(),
  t: z.enum([...EVENT_TYPES, 'skip']),
  at: z.number(),
  last: z.number().optional(),
  v: z.number().int().optional(),
  k: z.string().optional(),
  o: z.literal(1).optional(),
  only: z.string().optional(),
  d: z.record(z.string(), z.unknown()),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** A sealed entry as the dispatcher uses it; null for one this version cannot read. */
export function parseEntry(raw: string): SealedEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = OutboxEntry.safeParse(json);
  if (!parsed.success) return null;
  const e = parsed.data;
  return {
    seq: e.s,
    id: e.id,
    type: e.t,
    at: e.at,
    data: e.d,
    ...(e.v !== undefined ? { version: e.v } : {}),
    ...(e.only !== undefined ? { only: e.only } : {}),
  };
}

/** The targets' states from the outbox state hash (`e:<target>` → JSON), as HGETALL answers it. */
export function parseStates(flat: readonly string[]): Map<string, DeliveryState> {
  const states = new Map<string, DeliveryState>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] ?? '';
    if (!field.startsWith('e:')) continue;
    try {
      const value = JSON.parse(flat[i + 1] ?? '') as Partial<DeliveryState>;
      states.set(field.slice(2), { ...FRESH_STATE, ...value });
    } catch {
      // An unreadable state starts over: at-least-once, the receiver deduplicates by webhook-id.
    }
  }
  return states;
}
