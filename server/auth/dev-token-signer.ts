import { SignJWT } from 'jose';
import { z } from 'zod';
import { DeviceId, UserId } from '../protocol/zod.ts';
import type { Config } from '../config.ts';

/** Body of `POST /auth/dev-token`. */
export const DevTokenRequest = z.strictObject({
  userId: UserId,
  deviceId: DeviceId.optional(),
  /** Lifetime in seconds. @default 3600 */
  ttlSec: z.number().int().min(1).max(86_400).optional(),
});
export type DevTokenRequest = z.infer<typeof DevTokenRequest>;

export interface DevToken {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface DevTokenSigner {
  sign(request: DevTokenRequest): Promise<DevToken>;
}

/** Signs development tokens with the shared HS256 secret, with the configured iss/aud so they verify. */
export function createDevTokenSigner(jwt: Config['jwt']): DevTokenSigner {
  if (jwt.key.kind !== 'secret') throw new Error('dev tokens need a shared secret');
  const secret = jwt.key.secret;
  return {
    async sign({ userId, deviceId, ttlSec = 3600 }) {
      const now = Date.now();
      const expiresAt = now + ttlSec * 1000;
      // Millisecond iat: a token minted right after a sign-out must not look "issued before" it.
      const builder = new SignJWT(deviceId ? { did: deviceId } : {})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt(now / 1000)
        .setExpirationTime(Math.floor(expiresAt / 1000));
      if (jwt.issuer !== null) builder.setIssuer(jwt.issuer);
      if (jwt.audience !== null) builder.setAudience(jwt.audience);
      const token = await builder.sign(secret);
      return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
    },
  };
}
