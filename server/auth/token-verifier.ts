import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions, type KeyObject } from 'jose';
import { UserId } from '../../client-sdk/src/protocol/index.ts';
import type { Config } from '../config.ts';
import { SyncError } from '../errors.ts';

/** What a verified token says about its holder. */
export interface TokenClaims {
  userId: string;
  /**
   * `iat` in ms (0 when absent, so any revocation refuses the token). A whole-second `iat` (jose's default)
   * counts as the end of its second: a token minted in the same second as a sign-out, after it, must connect.
   */
  issuedAt: number;
  /** `exp` in ms. */
  expiresAt: number;
  /** When a connection holding this token must end: `exp` plus the clock tolerance the handshake allowed. */
  validUntil: number;
  /** The `did` claim, when the token is bound to one device. */
  deviceId: string | null;
  /** The token's identity: its `jti`, else a hash of the token itself (what "sign out this device" revokes). */
  tokenId: string;
  /** A `guest: true` claim: the user is a guest (shorter retention, see RETENTION_GUEST_DAYS). */
  guest: boolean;
}

export interface TokenVerifier {
  /** Verifies signature and claims; throws SyncError `token_expired` or `unauthorized`. */
  verify(token: string): Promise<TokenClaims>;
}

/** What each claim must hold, for the message that refuses a token (README "Tokens"). */
const CLAIM_HELP: Record<string, string> = {
  exp: 'the expiry in seconds since the epoch; mint tokens that expire, at most JWT_MAX_LIFETIME_SEC ahead',
  sub: 'the user id: 1-128 letters, digits or _ . : @ | + = -',
  iat: 'the issue time in seconds (a fraction carries the milliseconds)',
  did: 'the device id the token is bound to, a string',
  iss: 'must equal the node\'s JWT_ISSUER',
  aud: 'must name the node\'s JWT_AUDIENCE',
};

/** `token has no "exp" claim (the expiry ...)` or `token claim "exp" is invalid (...)`: which claim, and what it must hold. */
export function claimProblem(claim: string, missing: boolean): string {
  const help = CLAIM_HELP[claim];
  const what = missing ? `token has no "${claim}" claim` : `token claim "${claim}" is invalid`;
  return help ? `${what} (${help})` : what;
}

// jose's errors carry a stable `code`; JWTExpired is not a JWTClaimValidationFailed, so map by code only.
function reasonOf(err: unknown): SyncError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const claim = typeof err === 'object' && err !== null && 'claim' in err ? String(err.claim) : '';
  const reason = typeof err === 'object' && err !== null && 'reason' in err ? String(err.reason) : '';
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new SyncError('token_expired', 'token expired (its exp is past by the node\'s clock): get a new token');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new SyncError('unauthorized', claim === 'nbf' ? 'token not yet valid' : claimProblem(claim, reason === 'missing'));
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new SyncError('unauthorized', 'token algorithm not allowed');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new SyncError('unauthorized', 'token signature invalid');
    case 'ERR_JWKS_TIMEOUT':
      return new SyncError('unavailable', 'key set unreachable');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new SyncError('unauthorized', 'no matching key for token');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new SyncError('unauthorized', 'token malformed');
    default:
      return new SyncError('unauthorized', 'token invalid');
  }
}

type VerifyKey = Uint8Array | KeyObject | JWTVerifyGetKey;

/**
 * Given the raw secret, jose imports it as a WebCrypto key on every verification. Import it once per HS
 * algorithm instead (jose checks the header's alg against the allowlist before it asks for the key).
 */
function hmacKeys(secret: Uint8Array): JWTVerifyGetKey {
  const imported = new Map<string, Promise<CryptoKey>>();
  return ({ alg }) => {
    const bits = /^HS(256|384|512)$/.exec(alg)?.[1];
    if (!bits) return secret; // not an HMAC algorithm: jose refuses it with its own error
    let key = imported.get(alg);
    if (!key) {
      key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: `SHA-${bits}` }, false, ['verify']);
      imported.set(alg, key);
    }
    return key;
  };
}

export function createTokenVerifier(jwt: Config['jwt']): TokenVerifier {
  const key: VerifyKey =
    jwt.key.kind === 'secret' ? hmacKeys(jwt.key.secret) : jwt.key.kind === 'public-key' ? jwt.key.key : createRemoteJWKSet(jwt.key.url);
  const options: JWTVerifyOptions = {
    algorithms: jwt.algorithms,
    clockTolerance: jwt.clockToleranceSec,
    requiredClaims: ['exp', 'sub'],
    ...(jwt.issuer !== null ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience !== null ? { audience: jwt.audience } : {}),
  };

  return {
    async verify(token) {
      let payload;
      try {
        // Overloads of jwtVerify differ only by key type; the union is resolved here.
        payload = typeof key === 'function' ? (await jwtVerify(token, key, options)).payload : (await jwtVerify(token, key, options)).payload;
      } catch (err) {
        throw reasonOf(err);
      }
      const sub = UserId.safeParse(payload.sub);
      if (!sub.success) throw new SyncError('unauthorized', 'token subject is not a valid user id');
      const did = payload['did'];
      if (did !== undefined && typeof did !== 'string') throw new SyncError('unauthorized', claimProblem('did', false));
      if (did === undefined && jwt.requireDevice) throw new SyncError('unauthorized', `${claimProblem('did', true)}: this node requires one (JWT_REQUIRE_DEVICE)`);
      const { exp, iat } = payload;
      // JSON's 1e400 parses to Infinity, which jose takes for a number: such a token would never expire.
      if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new SyncError('unauthorized', claimProblem('exp', false));
      if (iat !== undefined && !Number.isFinite(iat)) throw new SyncError('unauthorized', claimProblem('iat', false));
      const nowSec = Date.now() / 1000;
      if (exp - (iat ?? nowSec) > jwt.maxLifetimeSec) throw new SyncError('unauthorized', `token lives longer than ${jwt.maxLifetimeSec} s (JWT_MAX_LIFETIME_SEC)`);
      const issuedAt = iat === undefined ? 0 : Number.isInteger(iat) ? iat * 1000 + 999 : Math.floor(iat * 1000);
      // A token from the future would outlive every "revoke what was issued before now".
      if (issuedAt > Date.now() + 1000 + jwt.clockToleranceSec * 1000) throw new SyncError('unauthorized', 'token issued in the future');
      const expiresAt = Math.floor(exp * 1000);
      const jti = typeof payload.jti === 'string' && payload.jti.length > 0 && payload.jti.length <= 128 ? payload.jti : null;
      return {
        userId: sub.data,
        issuedAt,
        expiresAt,
        validUntil: expiresAt + jwt.clockToleranceSec * 1000,
        deviceId: did ?? null,
        tokenId: jti !== null ? `j:${jti}` : `h:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`,
        guest: payload['guest'] === true,
      };
    },
  };
}
