import { z } from 'zod';

/** How the nodes share the delivery of webhook events (the pull feed, the sweep, the leases). */
export interface WebhookDispatchConfig {
  /** GET /v1/events is on and every event type but the opt-in ones is recorded for it. */
  pull: boolean;
  /** How often each node looks for outboxes no hint announced (a node died before delivering). */
  sweepMs: number;
  /** How long a node holds a user's delivery before another may take over. */
  leaseMs: number;
}

export const WEBHOOK_DISPATCH_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['WEBHOOKS_PULL', 'true turns on GET /v1/events on the admin API: every event (watch.progress too with WEBHOOKS_PULL_PROGRESS=true) is kept for polling (default false)'],
  ['WEBHOOKS_PULL_PROGRESS', 'also keep watch.progress for the pull feed (default false)'],
  ['WEBHOOK_SWEEP_MS', 'how often each node scans for outboxes no hint announced, e.g. after a node died (default 30000)'],
  ['WEBHOOK_LEASE_MS', 'a node delivering a user\'s events holds them this long; another node takes over after it (default 10000)'],
];

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']).transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const Env = z.object({
  WEBHOOKS_PULL: bool.default(false),
  WEBHOOKS_PULL_PROGRESS: bool.default(false),
  WEBHOOK_SWEEP_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
});

export function parseWebhookDispatchConfig(env: Record<string, string | undefined>): {
  dispatch: (WebhookDispatchConfig & { pullOptIn: boolean }) | null;
  problems: Array<{ variable: string; problem: string }>;
} {
  const parsed = Env.safeParse(env);
  if (!parsed.success) return { dispatch: null, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message })) };
  const e = parsed.data;
  return { dispatch: { pull: e.WEBHOOKS_PULL, pullOptIn: e.WEBHOOKS_PULL_PROGRESS, sweepMs: e.WEBHOOK_SWEEP_MS, leaseMs: e.WEBHOOK_LEASE_MS }, problems: [] };
}
