import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { classifyResponse } from './retry-policy.ts';
import { signDelivery, type WebhookSecret } from './signing.ts';
import { UrlSafetyError, checkWebhookUrl, safeLookup, systemResolver, type Resolver, type UrlSafetyOptions } from './url-safety.ts';

/**
 * One HTTP POST of one event to one endpoint: signed afresh, bounded in time and in the bytes read back,
 * never following a redirect. Returns what happened; the caller (the dispatcher) decides what to do next.
 */

/** What one attempt came to. */
export type AttemptOutcome =
  /** A 2xx answer. */
  | { kind: 'delivered'; status: number }
  /** Worth trying again later: a non-2xx answer other than 410, a timeout, a network or DNS failure. */
  | { kind: 'retry'; status: number | null; afterMs: number | null; reason: AttemptFailure }
  /** 410 Gone: the receiver asks us to stop; the endpoint is to be disabled. */
  | { kind: 'gone'; status: 410 }
  /** Not attempted, and retrying the same URL would not help: the URL is refused by the safety rules. */
  | { kind: 'failed'; reason: 'invalid_url' | 'scheme_not_allowed' | 'credentials_not_allowed' | 'address_not_allowed'; detail: string };

/** Stable reason codes for a retryable failure (`http_<status>`, `redirect_<status>` for answers). */
export type AttemptFailure = 'timeout' | 'connection_refused' | 'connection_reset' | 'dns_failed' | 'tls_error' | 'network_error' | `http_${number}` | `redirect_${number}`;

export interface AttemptResult {
  outcome: AttemptOutcome;
  /** From the start of the attempt to the end of the answer (or of the failure). */
  latencyMs: number;
}

export interface DeliveryAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export interface DeliveryAgentOptions {
  safety: UrlSafetyOptions;
  resolver?: Resolver;
  /** Keep connections to receivers open between deliveries. @default true */
  keepAlive?: boolean;
  /** Sockets per receiver host at most (the per-endpoint concurrency bounds it too). @default 16 */
  maxSocketsPerHost?: number;
  /** Extra trusted CA certificates (PEM), for receivers behind a private CA and for tests. */
  ca?: string | string[];
}

/** The agents every attempt of a node goes through: they resolve with the safety check, so they connect only to checked addresses. */
export function createDeliveryAgents(options: DeliveryAgentOptions): DeliveryAgents {
  const lookup = safeLookup(options.safety, options.resolver ?? systemResolver);
  // Idle sockets are closed after 4 s, before node's own servers drop them (keepAliveTimeout 5 s), so reuse
  // rarely meets a socket the receiver already closed (postOnce retries once when it does).
  const common = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSocketsPerHost ?? 16, maxFreeSockets: 4, scheduling: 'lifo' as const, timeout: 4_000 };
  return {
    http: new HttpAgent({ ...common, lookup }),
    https: new HttpsAgent({ ...common, lookup, ...(options.ca !== undefined ? { ca: options.ca } : {}) }),
  };
}

export interface AttemptInput {
  url: string;
  /** The event's stable id (the `webhook-id` header). */
  id: string;
  /** The exact JSON text sent, and signed. */
  body: string;
  /** Every secret the endpoint currently signs with (two during a rotation). */
  secrets: readonly WebhookSecret[];
}

export interface AttemptOptions {
  safety: UrlSafetyOptions;
  agents: DeliveryAgents;
  /** The whole attempt, connect to last byte. @default 15000 */
  timeoutMs?: number;
  /** Bytes of the answer read (then discarded); past them the connection is cut. @default 65536 */
  maxResponseBytes?: number;
  /** @default 'Tandem-Webhooks/1' */
  userAgent?: string;
  now?: () => number;
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** Makes one attempt. Never throws for anything the network or the receiver does. */
export async function deliverAttempt(input: AttemptInput, options: AttemptOptions): Promise<AttemptResult> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const done = (outcome: AttemptOutcome): AttemptResult => ({ outcome, latencyMs: performance.now() - started });

  let url: URL;
  try {
    url = checkWebhookUrl(input.url, options.safety);
  } catch (err) {
    if (err instanceof UrlSafetyError && err.code !== 'dns_failed') return done({ kind: 'failed', reason: err.code, detail: err.message });
    throw err;
  }
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(input.body)),
    'user-agent': options.userAgent ?? 'Tandem-Webhooks/1',
    ...signDelivery({ id: input.id, body: input.body, secrets: input.secrets, timestampSec: Math.floor(now() / 1000) }),
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const deadline = performance.now() + timeoutMs;
  const agent = url.protocol === 'https:' ? options.agents.https : options.agents.http;
  const post = () => postOnce({ url, headers, body: input.body, agent, deadline, maxBytes, now });
  let sent = await post();
  // A kept-alive socket the receiver closed while idle fails at once on reuse: that is no answer from the
  // receiver, so try once more on a fresh connection (within the same deadline).
  if (sent.staleSocket && performance.now() < deadline) sent = await post();
  return done(sent.outcome);
}

interface PostInput {
  url: URL;
  headers: Record<string, string>;
  body: string;
  agent: HttpAgent | HttpsAgent;
  /** performance.now() past which the attempt has timed out. */
  deadline: number;
  maxBytes: number;
  now: () => number;
}

function postOnce(input: PostInput): Promise<{ outcome: AttemptOutcome; staleSocket: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome, staleSocket = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ outcome, staleSocket });
    };
    const send = input.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(input.url, { method: 'POST', headers: input.headers, agent: input.agent });
    let answered: AttemptOutcome | null = null;
    const timer = setTimeout(() => {
      // After the status line a slow body does not change the answer; before it, the attempt timed out.
      finish(answered ?? { kind: 'retry', status: null, afterMs: null, reason: 'timeout' });
      req.destroy();
    }, Math.max(0, input.deadline - performance.now()));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const c = classifyResponse(status, res.headers['retry-after'], input.now());
      const result: AttemptOutcome =
        c.kind === 'delivered'
          ? { kind: 'delivered', status }
          : c.kind === 'gone'
            ? { kind: 'gone', status: 410 }
            : { kind: 'retry', status, afterMs: c.afterMs, reason: c.reason as AttemptFailure };
      answered = result;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > input.maxBytes) {
          finish(result);
          req.destroy();
        }
      });
      res.on('end', () => finish(result));
      res.on('error', () => finish(result));
      res.on('aborted', () => finish(result));
    });
    req.on('error', (err: Error) => {
      if (answered) return finish(answered);
      const code = (err as NodeJS.ErrnoException).code;
      finish(failureOf(err), req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE'));
    });
    req.end(input.body);
  });
}

function failureOf(err: Error): AttemptOutcome {
  if (err instanceof UrlSafetyError) {
    if (err.code === 'dns_failed') return { kind: 'retry', status: null, afterMs: null, reason: 'dns_failed' };
    return { kind: 'failed', reason: err.code, detail: err.message };
  }
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const reason: AttemptFailure =
    code === 'ECONNREFUSED'
      ? 'connection_refused'
      : code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up'
        ? 'connection_reset'
        : code === 'ETIMEDOUT'
          ? 'timeout'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'dns_failed'
            : /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/.test(code) || code.includes('CERT')
              ? 'tls_error'
              : 'network_error';
  return { kind: 'retry', status: null, afterMs: null, reason };
}
