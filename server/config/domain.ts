import { z } from 'zod';
import { LIMITS } from '../../client-sdk/src/protocol/index.ts';

/** The business rules a deployment chooses: who sets prices, how long a checkout holds, how long data lives. */
export interface DomainConfig {
  /** `client`: the device says the price (the demo); `signed`: every cart:add carries an offer from the backend. */
  prices: { mode: 'client' } | { mode: 'signed'; secret: Uint8Array };
  /** How long a checkout freezes the cart unless the call asks otherwise. */
  checkoutTtlMs: number;
  retention: {
    /** A guest's keys expire after this long without a write or a connect (0: never). */
    guestMs: number;
    /** A signed-in user's keys likewise (0: never). */
    userMs: number;
    /** A token whose `sub` starts with this is a guest, like one with `guest: true` (null: only the claim). */
    guestSubPrefix: string | null;
  };
}

export const DOMAIN_CONFIG_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['CART_PRICES', 'client (devices send prices: the demo default) or signed (cart:add needs an offer token minted with OFFER_SECRET)'],
  ['OFFER_SECRET', 'HMAC-SHA256 key of offer tokens, at least 32 characters (required with CART_PRICES=signed)'],
  ['CHECKOUT_TTL_MS', 'a checkout freezes the cart for this long unless it ends first (default 900000, 15 min)'],
  ['RETENTION_GUEST_DAYS', 'a guest\'s data expires after this many days without a write or a connect (default 30; 0 keeps it)'],
  ['RETENTION_USER_DAYS', 'a signed-in user\'s data likewise (default 180; 0 keeps it; fractions allowed)'],
  ['GUEST_SUB_PREFIX', 'tokens whose sub starts with this are guests, besides those with a guest: true claim (default none)'],
];

type Problem = { variable: string; problem: string };
const DAY_MS = 86_400_000;
const days = z.coerce.number({ error: 'expected a number of days' }).min(0).max(36_500);

const DomainEnv = z.object({
  CART_PRICES: z.enum(['client', 'signed']).default('client'),
  OFFER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CHECKOUT_TTL_MS: z.coerce.number({ error: 'expected a number' }).int().min(1000).max(LIMITS.checkoutTtlMsMax).default(900_000),
  RETENTION_GUEST_DAYS: days.default(30),
  RETENTION_USER_DAYS: days.default(180),
  GUEST_SUB_PREFIX: z.string().min(1).max(64).optional(),
});

/** The domain variables from the (defined-only) environment; problems are returned for loadConfig to report. */
export function parseDomainConfig(env: Record<string, string | undefined>): { domain: DomainConfig | null; problems: Problem[] } {
  const parsed = DomainEnv.safeParse(env);
  if (!parsed.success) {
    return { domain: null, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message })) };
  }
  const e = parsed.data;
  if (e.CART_PRICES === 'signed' && e.OFFER_SECRET === undefined) {
    return { domain: null, problems: [{ variable: 'OFFER_SECRET', problem: 'CART_PRICES=signed needs OFFER_SECRET' }] };
  }
  return {
    domain: {
      prices: e.CART_PRICES === 'signed' && e.OFFER_SECRET ? { mode: 'signed', secret: new TextEncoder().encode(e.OFFER_SECRET) } : { mode: 'client' },
      checkoutTtlMs: e.CHECKOUT_TTL_MS,
      retention: {
        guestMs: Math.round(e.RETENTION_GUEST_DAYS * DAY_MS),
        userMs: Math.round(e.RETENTION_USER_DAYS * DAY_MS),
        guestSubPrefix: e.GUEST_SUB_PREFIX ?? null,
      },
    },
    problems: [],
  };
}
