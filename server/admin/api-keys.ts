import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config/admin.ts';

export interface ApiKeyRing {
  /** The key whose secret the `Authorization: Bearer` header carries, or null. */
  authenticate(authorization: string | undefined): ApiKey | null;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares the presented secret with every key in constant time: digests make the lengths equal, and every
 * key is compared (no early exit), so neither a secret's length nor which key matched shows in the timing.
 */
export function createApiKeyRing(keys: readonly ApiKey[]): ApiKeyRing {
  const ring = keys.map((key) => ({ key, hash: digest(key.secret) }));
  return {
    authenticate(authorization) {
      if (!authorization) return null;
      const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(authorization);
      if (!match?.[1]) return null;
      const presented = digest(match[1]);
      let found: ApiKey | null = null;
      for (const entry of ring) {
        if (timingSafeEqual(entry.hash, presented)) found = entry.key;
      }
      return found;
    },
  };
}
