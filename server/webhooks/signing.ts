import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks v1 signing (https://www.standardwebhooks.com): secrets `whsec_<base64>`, headers
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` = `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 * Pure: no I/O, no clock unless the caller passes none.
 */

export const SECRET_PREFIX = 'whsec_';
/** Bytes of key a generated secret carries. The specification asks for 24 to 64. */
export const SECRET_BYTES = 32;
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
/** Longest `webhook-id` we emit or accept (the id is echoed in a header and logged). */
export const MAX_WEBHOOK_ID_LENGTH = 128;

/** A secret decoded once, kept with its text form so it can be shown (once) and stored. */
export interface WebhookSecret {
  /** `whsec_<base64>`. */
  readonly text: string;
  readonly key: Buffer;
}

export type SecretProblem = 'missing_prefix' | 'not_base64' | 'too_short' | 'too_long';

/** A secret that cannot be used, with a stable code. Its message never contains the secret. */
export class WebhookSecretError extends Error {
  constructor(readonly code: SecretProblem) {
    super(
      {
        missing_prefix: 'a webhook secret starts with whsec_',
        not_base64: 'a webhook secret is whsec_ followed by standard base64',
        too_short: `a webhook secret carries at least ${MIN_SECRET_BYTES} bytes`,
        too_long: `a webhook secret carries at most ${MAX_SECRET_BYTES} bytes`,
      }[code],
    );
    this.name = 'WebhookSecretError';
  }
}

/** The three headers every delivery carries. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A fresh random secret (`random` is injectable for tests that need a known key). */
export function generateSecret(random: (bytes: number) => Buffer = randomBytes): WebhookSecret {
  const key = random(SECRET_BYTES);
  return { text: SECRET_PREFIX + key.toString('base64'), key };
}

/** Parses `whsec_<base64>`; throws WebhookSecretError with a code. */
export function parseSecret(text: string): WebhookSecret {
  if (!text.startsWith(SECRET_PREFIX)) throw new WebhookSecretError('missing_prefix');
  const encoded = text.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) throw new WebhookSecretError('not_base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES) throw new WebhookSecretError('too_short');
  if (key.length > MAX_SECRET_BYTES) throw new WebhookSecretError('too_long');
  return { text, key };
}

/** The problem with a secret, or null when it is usable: for zod refinements and admin input. */
export function secretProblem(text: string): SecretProblem | null {
  try {
    parseSecret(text);
    return null;
  } catch (err) {
    if (err instanceof WebhookSecretError) return err.code;
    throw err;
  }
}

/** `v1,<base64>` for one secret. `body` must be the exact bytes sent. */
export function signatureFor(secret: WebhookSecret, id: string, timestampSec: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret.key);
  mac.update(`${id}.${timestampSec}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export interface SignInput {
  /** Stable across retries of one event, so receivers can deduplicate. */
  id: string;
  body: string | Buffer;
  /**
   * Every secret that is currently valid for the endpoint; during a rotation the new one and the old one.
   * One signature each, space-separated, so a receiver holding either verifies.
   */
  secrets: readonly WebhookSecret[];
  /** Seconds since the epoch; default now. Each attempt is signed afresh (receivers refuse old timestamps). */
  timestampSec?: number;
}

/** The headers for one delivery attempt. */
export function signDelivery(input: SignInput): SignatureHeaders {
  if (input.secrets.length === 0) throw new Error('signDelivery needs at least one secret');
  if (input.id.length === 0 || input.id.length > MAX_WEBHOOK_ID_LENGTH || /[\s,]/.test(input.id)) {
    throw new Error(`webhook-id must be 1-${MAX_WEBHOOK_ID_LENGTH} characters without spaces or commas`);
  }
  const timestampSec = input.timestampSec ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) throw new Error('timestampSec must be a non-negative integer');
  const signatures = input.secrets.map((s) => signatureFor(s, input.id, timestampSec, input.body));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': signatures.join(' '),
  };
}
