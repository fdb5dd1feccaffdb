/** The claims the SDK reads from a token. */
export interface TokenClaims {
  /** Expiry, in ms since the epoch; null when the token has none. */
  expiresAt: number | null;
  /** Issued-at, in ms; null when absent. */
  issuedAt: number | null;
  /** The user id; null when absent. */
  subject: string | null;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64UrlToBytes(input: string): number[] | null {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of input.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')) {
    const value = BASE64URL.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

function utf8(bytes: number[]): string | null {
  try {
    // No TextDecoder/Buffer dependency: React Native's runtimes do not all have them.
    return decodeURIComponent(bytes.map((b) => '%' + b.toString(16).padStart(2, '0')).join(''));
  } catch {
    return null;
  }
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : null;
}

/** Reads a JWT's claims WITHOUT verifying it: the server verifies; the client only needs to know when to refresh. */
export function decodeTokenClaims(token: string): TokenClaims {
  const none: TokenClaims = { expiresAt: null, issuedAt: null, subject: null };
  const payload = token.split('.')[1];
  if (payload === undefined) return none;
  const bytes = base64UrlToBytes(payload);
  const text = bytes && utf8(bytes);
  if (!text) return none;
  let claims: unknown;
  try {
    claims = JSON.parse(text);
  } catch {
    return none;
  }
  if (typeof claims !== 'object' || claims === null) return none;
  const record = claims as Record<string, unknown>;
  return {
    expiresAt: seconds(record.exp),
    issuedAt: seconds(record.iat),
    subject: typeof record.sub === 'string' ? record.sub : null,
  };
}
