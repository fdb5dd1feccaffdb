/**
 * Token minting for every test, fault scenario, bench load and demo helper: HS256 JWTs signed with
 * node:crypto, so it also runs in jsdom test files (jose's browser build trips over jsdom's Uint8Array realm).
 */
import { createHmac } from 'node:crypto';

/** The HS256 secret every test node trusts by default. */
export const TEST_JWT_SECRET = 'tandem-test-secret-0123456789abcdef-not-for-production';

export interface MintTokenOptions {
  userId: string;
  /** Binds the token to one device (the `did` claim). */
  deviceId?: string;
  /** @default 3600 */
  ttlSec?: number;
  /** @default TEST_JWT_SECRET */
  secret?: string;
  issuer?: string;
  audience?: string;
  /** `nbf` in seconds since the epoch. */
  notBefore?: number;
  /** `iat` in seconds (fractions allowed). @default now, with milliseconds */
  issuedAt?: number;
  /** `exp` in seconds; overrides ttlSec (a past value makes an expired token). */
  expiresAt?: number;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs an HS256 token the test nodes accept (with the default secret). */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  return mintTokenSync(options);
}

/** mintToken without the promise, for code that cannot wait. */
export function mintTokenSync(options: MintTokenOptions): string {
  const now = Date.now() / 1000;
  const claims: Record<string, string | number> = {
    ...(options.deviceId ? { did: options.deviceId } : {}),
    sub: options.userId,
    iat: options.issuedAt ?? now,
    exp: options.expiresAt ?? Math.floor(now + (options.ttlSec ?? 3600)),
  };
  if (options.issuer !== undefined) claims['iss'] = options.issuer;
  if (options.audience !== undefined) claims['aud'] = options.audience;
  if (options.notBefore !== undefined) claims['nbf'] = options.notBefore;
  const signed = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', options.secret ?? TEST_JWT_SECRET).update(signed).digest();
  return `${signed}.${base64url(signature)}`;
}
