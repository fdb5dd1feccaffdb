import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';

/** How tokens are verified: a shared HS256 secret, one PEM public key, or a remote JWKS. */
export type JwtKeyConfig =
  | { kind: 'secret'; secret: Uint8Array; ephemeral: boolean }
  | { kind: 'public-key'; key: KeyObject }
  | { kind: 'jwks'; url: URL };

/** The JWT variables loadConfig has validated (their parsing lives in its schema). */
export interface JwtKeyEnv {
  JWT_SECRET?: string | undefined;
  JWT_PUBLIC_KEY?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ALGORITHMS?: string[] | undefined;
}

const ASYMMETRIC_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

function defaultAlgorithms(key: JwtKeyConfig): string[] {
  if (key.kind === 'secret') return ['HS256'];
  if (key.kind === 'jwks') return ['RS256', 'ES256', 'EdDSA'];
  const type = key.key.asymmetricKeyType;
  if (type === 'rsa') return ['RS256'];
  if (type === 'ed25519') return ['EdDSA', 'Ed25519'];
  const curve = key.key.asymmetricKeyDetails?.namedCurve;
  return curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : ['ES256'];
}

/**
 * The key tokens are verified with and the algorithms accepted. Production needs a configured key, and so do
 * nodes sharing Redis; only the embedded single node makes an ephemeral dev secret. Problems and warnings are
 * appended for loadConfig to report with the rest.
 */
export function resolveJwtKey(
  env: JwtKeyEnv,
  where: { production: boolean; embedded: boolean },
  problems: Array<{ variable: string; problem: string }>,
  warnings: string[],
): { key: JwtKeyConfig | null; algorithms: string[] } {
  const { production, embedded } = where;
  const keySources = (['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'] as const).filter((k) => env[k] !== undefined);
  if (keySources.length > 1) problems.push({ variable: keySources.join(', '), problem: 'set only one of them' });

  let key: JwtKeyConfig | null = null;
  if (env.JWT_SECRET !== undefined) key = { kind: 'secret', secret: new TextEncoder().encode(env.JWT_SECRET), ephemeral: false };
  else if (env.JWT_PUBLIC_KEY !== undefined) {
    try {
      const publicKey = createPublicKey(env.JWT_PUBLIC_KEY);
      if (!['rsa', 'ec', 'ed25519'].includes(publicKey.asymmetricKeyType ?? '')) {
        problems.push({ variable: 'JWT_PUBLIC_KEY', problem: `unsupported key type ${publicKey.asymmetricKeyType}` });
      }
      key = { kind: 'public-key', key: publicKey };
    } catch {
      problems.push({ variable: 'JWT_PUBLIC_KEY', problem: 'not a PEM public key' });
    }
  } else if (env.JWT_JWKS_URL !== undefined) {
    const url = new URL(env.JWT_JWKS_URL);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !loopback) problems.push({ variable: 'JWT_JWKS_URL', problem: 'must be https' });
    key = { kind: 'jwks', url };
  } else if (production) {
    problems.push({ variable: 'JWT_SECRET', problem: 'NODE_ENV=production needs JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL' });
  } else if (!embedded) {
    problems.push({ variable: 'JWT_SECRET', problem: 'with Redis, nodes must share a key: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL' });
  } else {
    key = { kind: 'secret', secret: randomBytes(32), ephemeral: true };
    warnings.push('no JWT configuration: using an EPHEMERAL random dev secret (tokens die with this process)');
  }

  let algorithms: string[] = key ? defaultAlgorithms(key) : [];
  if (key && env.JWT_ALGORITHMS) {
    const symmetric = key.kind === 'secret';
    const misfit = env.JWT_ALGORITHMS.filter((a) => ASYMMETRIC_ALGS.has(a) === symmetric);
    if (misfit.length > 0) {
      problems.push({ variable: 'JWT_ALGORITHMS', problem: `${misfit.join(', ')} does not fit a ${symmetric ? 'shared secret' : 'public key'}` });
    }
    algorithms = env.JWT_ALGORITHMS;
  }

  return { key, algorithms };
}
