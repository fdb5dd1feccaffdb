import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { EventType } from '../webhooks/events.ts';
import { DEFAULT_DISABLE_AFTER_MS, DEFAULT_RETRY_SCHEDULE_MS, createRetryPolicy, type RetryPolicy } from '../webhooks/retry-policy.ts';
import { secretProblem } from '../webhooks/signing.ts';
import { UrlSafetyError, checkWebhookUrl, type UrlSafetyOptions } from '../webhooks/url-safety.ts';

/** An endpoint declared in WEBHOOKS_FILE: registered (or rewritten) at every start. */
export interface DeclaredEndpoint {
  /** `ep_…`: given in the file, or derived from the URL so it stays the same across restarts. */
  id: string;
  url: string;
  /** Event types it receives. */
  events: EventType[];
  /** `whsec_…` secrets that sign its deliveries, newest first (two while a rotation runs). */
  secrets: string[];
  description: string | null;
}

export interface WebhooksConfig {
  endpoints: DeclaredEndpoint[];
  /** A burst of cart changes (and watch progress) of one user becomes one event after this much quiet. */
  debounceMs: number;
  /** device.disconnected fires only when the device has not come back within this. */
  disconnectGraceMs: number;
  safety: UrlSafetyOptions;
  retry: RetryPolicy;
  /** One attempt, connect to last byte. */
  timeoutMs: number;
  /** Deliveries in flight to one endpoint at once (different users; one user's events go in order). */
  concurrencyPerEndpoint: number;
}

/** The webhook variables, for CONFIG_VARIABLES and `--help`. */
export const WEBHOOK_CONFIG_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['WEBHOOKS_FILE', 'JSON file declaring webhook endpoints at start: {"endpoints":[{"url","events":[...],"secret":"whsec_...","description"?,"id"?}]}'],
  ['WEBHOOK_DEBOUNCE_MS', 'cart.updated and watch.progress are sent once per burst of changes, after this much quiet per user (default 2000)'],
  ['WEBHOOK_DISCONNECT_GRACE_MS', 'device.disconnected fires only if the device has not reconnected within this (default 3000)'],
  ['WEBHOOKS_ALLOW_HTTP', 'allow http:// endpoint URLs besides https:// (default false; for tests and local development)'],
  ['WEBHOOKS_ALLOW_PRIVATE', 'allow endpoints on loopback, private and other non-public addresses (default false; for tests and local development)'],
  ['WEBHOOK_RETRY_SCHEDULE', 'comma list of delays before each attempt, first 0 (ms, or with s/m/h), default 0,5s,5m,30m,2h,5h,10h,10h'],
  ['WEBHOOK_DISABLE_AFTER_MS', 'an endpoint whose deliveries have all failed for this long is disabled (default 432000000, 5 days)'],
  ['WEBHOOK_TIMEOUT_MS', 'one delivery attempt, connect to last byte; longer counts as failed (default 15000)'],
  ['WEBHOOK_CONCURRENCY', 'deliveries in flight per endpoint at once, across users (default 8; one user\'s events always go in order)'],
];

type Problem = { variable: string; problem: string };

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_DECLARED_ENDPOINTS = 100;
const MAX_SCHEDULE_ENTRIES = 20;
const WEEK_MS = 7 * 86_400_000;

const int = (min: number, max: number) => z.coerce.number({ error: 'expected a number' }).int().min(min).max(max);
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'expected true or false (1/0, yes/no, on/off)' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const WebhooksEnv = z.object({
  WEBHOOKS_FILE: z.string().min(1).optional(),
  WEBHOOK_DEBOUNCE_MS: int(0, 600_000).default(2000),
  WEBHOOK_DISCONNECT_GRACE_MS: int(0, 600_000).default(3000),
  WEBHOOKS_ALLOW_HTTP: bool.default(false),
  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_RETRY_SCHEDULE: z.string().optional(),
  WEBHOOK_DISABLE_AFTER_MS: int(1000, 365 * 86_400_000).default(DEFAULT_DISABLE_AFTER_MS),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(15_000),
  WEBHOOK_CONCURRENCY: int(1, 256).default(8),
});

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `0,5s,5m,2h` → milliseconds; a problem text instead when it cannot be read. */
export function parseRetrySchedule(text: string): number[] | string {
  const parts = text.split(',').map((s) => s.trim());
  const delays: number[] = [];
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(part);
    if (!m) return `cannot read "${part}": expected a number of ms, or one with s, m or h (e.g. 0,5s,5m)`;
    const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
    if (ms > WEEK_MS) return `"${part}" is longer than a week`;
    delays.push(ms);
  }
  if (delays.length > MAX_SCHEDULE_ENTRIES) return `at most ${MAX_SCHEDULE_ENTRIES} attempts`;
  if (delays[0] !== 0) return 'the first attempt is at once: start the list with 0';
  return delays;
}

const DeclaredEntry = z.strictObject({
  id: z.string().regex(/^ep_[A-Za-z0-9_-]{1,64}$/, 'expected ep_ then 1-64 letters, digits, _ or -').optional(),
  url: z.string().min(1),
  events: z.array(EventType).min(1, 'list at least one event type').max(64),
  secret: z.union([z.string(), z.array(z.string()).min(1).max(2)]),
  description: z.string().max(500).optional(),
});
const DeclaredFile = z.strictObject({ endpoints: z.array(DeclaredEntry).max(MAX_DECLARED_ENDPOINTS) });

/** The id of a declared endpoint without one: stable for one URL across restarts. */
export function declaredEndpointId(url: string): string {
  return `ep_file_${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/** Reads and checks WEBHOOKS_FILE; every problem names the entry by position, never by its secret. */
export function parseDeclaredEndpoints(text: string, safety: UrlSafetyOptions): { endpoints: DeclaredEndpoint[]; problems: Problem[] } {
  const at = (where: string, problem: string): Problem => ({ variable: 'WEBHOOKS_FILE', problem: `${where}: ${problem}` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { endpoints: [], problems: [at('file', 'not valid JSON')] };
  }
  const parsed = DeclaredFile.safeParse(json);
  if (!parsed.success) {
    return {
      endpoints: [],
      problems: parsed.error.issues.map((i) => at(i.path.length > 0 ? i.path.join('.') : 'file', i.message)),
    };
  }
  const endpoints: DeclaredEndpoint[] = [];
  const problems: Problem[] = [];
  const ids = new Set<string>();
  parsed.data.endpoints.forEach((entry, i) => {
    const where = `endpoints.${i}`;
    let ok = true;
    try {
      checkWebhookUrl(entry.url, safety);
    } catch (err) {
      if (!(err instanceof UrlSafetyError)) throw err;
      problems.push(at(`${where}.url`, `${err.code}: ${err.message}`));
      ok = false;
    }
    const secrets = typeof entry.secret === 'string' ? [entry.secret] : entry.secret;
    secrets.forEach((s, j) => {
      const problem = secretProblem(s);
      if (problem !== null) {
        problems.push(at(`${where}.secret${secrets.length > 1 ? `.${j}` : ''}`, `${problem} (generate one: whsec_ + base64 of 32 random bytes)`));
        ok = false;
      }
    });
    const id = entry.id ?? declaredEndpointId(entry.url);
    if (ids.has(id)) {
      problems.push(at(`${where}.id`, `${id} is declared twice (give each entry its own id)`));
      ok = false;
    }
    ids.add(id);
    if (ok) endpoints.push({ id, url: entry.url, events: [...new Set(entry.events)], secrets, description: entry.description ?? null });
  });
  return { endpoints, problems };
}

/**
 * The webhook configuration from the (defined-only) environment. Reads WEBHOOKS_FILE once.
 * Returns problems and warnings instead of throwing so loadConfig reports them with the rest.
 */
export function parseWebhooksConfig(
  env: Record<string, string | undefined>,
  context: { production: boolean },
): { webhooks: WebhooksConfig | null; problems: Problem[]; warnings: string[] } {
  const parsed = WebhooksEnv.safeParse(env);
  if (!parsed.success) {
    return { webhooks: null, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message })), warnings: [] };
  }
  const e = parsed.data;
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const safety: UrlSafetyOptions = { allowHttp: e.WEBHOOKS_ALLOW_HTTP, allowPrivate: e.WEBHOOKS_ALLOW_PRIVATE };
  if (context.production && safety.allowHttp) warnings.push('WEBHOOKS_ALLOW_HTTP is on: webhook bodies may travel unencrypted');
  if (context.production && safety.allowPrivate) {
    warnings.push('WEBHOOKS_ALLOW_PRIVATE is on: anyone who can register a webhook can make this node POST to your internal network');
  }

  let scheduleMs: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS;
  if (e.WEBHOOK_RETRY_SCHEDULE !== undefined) {
    const schedule = parseRetrySchedule(e.WEBHOOK_RETRY_SCHEDULE);
    if (typeof schedule === 'string') problems.push({ variable: 'WEBHOOK_RETRY_SCHEDULE', problem: schedule });
    else scheduleMs = schedule;
  }

  let endpoints: DeclaredEndpoint[] = [];
  if (e.WEBHOOKS_FILE !== undefined) {
    let text: string | null = null;
    try {
      if (statSync(e.WEBHOOKS_FILE).size > MAX_FILE_BYTES) problems.push({ variable: 'WEBHOOKS_FILE', problem: 'file is larger than 1 MiB' });
      else text = readFileSync(e.WEBHOOKS_FILE, 'utf8');
    } catch {
      problems.push({ variable: 'WEBHOOKS_FILE', problem: 'cannot read the file' });
    }
    if (text !== null) {
      const declared = parseDeclaredEndpoints(text, safety);
      endpoints = declared.endpoints;
      problems.push(...declared.problems);
    }
  }
  if (problems.length > 0) return { webhooks: null, problems, warnings };
  return {
    webhooks: {
      endpoints,
      debounceMs: e.WEBHOOK_DEBOUNCE_MS,
      disconnectGraceMs: e.WEBHOOK_DISCONNECT_GRACE_MS,
      safety,
      retry: createRetryPolicy({ scheduleMs, disableAfterMs: e.WEBHOOK_DISABLE_AFTER_MS }),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrencyPerEndpoint: e.WEBHOOK_CONCURRENCY,
    },
    problems,
    warnings,
  };
}
