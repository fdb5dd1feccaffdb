import { z } from 'zod';
import { EVENT_TYPES } from './events.ts';

/** A secret that signs deliveries; during a rotation the old one keeps signing until `until`. */
export const StoredSecret = z.strictObject({ secret: z.string(), until: z.number().int().nullable() });

/** An endpoint as stored (Redis: `{webhooks}:endpoints`, id → JSON), seen by every node. */
export const EndpointRecord = z.strictObject({
  id: z.string().regex(/^ep_[A-Za-z0-9_-]{1,64}$/),
  url: z.string().url(),
  events: z.array(z.enum(EVENT_TYPES)).min(1),
  description: z.string().max(500).optional(),
  secrets: z.array(StoredSecret).min(1).max(4),
  createdAt: z.number().int(),
  /** Declared by WEBHOOKS_FILE (rewritten at each start) or made through the API. */
  source: z.enum(['api', 'file']),
  /** Why and when it stopped receiving (410, or failing for too long); null while active. */
  disabled: z.strictObject({ at: z.number().int(), reason: z.enum(['gone', 'failing']) }).nullable(),
  /** Start of the current unbroken run of failures (ms), null after a success. */
  failingSince: z.number().int().nullable(),
});
export type EndpointRecord = z.infer<typeof EndpointRecord>;

/** The secrets that sign now: the current one and those of a rotation still running. */
export function signingSecrets(endpoint: EndpointRecord, now: number): string[] {
  return endpoint.secrets.filter((s) => s.until === null || s.until > now).map((s) => s.secret);
}

/** Parses a stored record; null for one this version cannot read (skipped, logged by the caller). */
export function parseEndpoint(raw: string): EndpointRecord | null {
  try {
    const parsed = EndpointRecord.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
