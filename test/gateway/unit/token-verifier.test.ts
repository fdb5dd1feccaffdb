import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevTokenSigner } from '../../../server/auth/dev-token-signer.ts';
import { createTokenVerifier } from '../../../server/auth/token-verifier.ts';
import { loadConfig } from '../../../server/config.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
let jwks: Server;
let jwksUrl: string;

const sign = (key: typeof ec.privateKey, alg: string, kid?: string) =>
  new SignJWT({}).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).setSubject('olga').setIssuedAt().setExpirationTime('10m').sign(key);

beforeAll(async () => {
  const keys = [
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' },
    { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA' },
  ];
  jwks = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
});

afterAll(() => {
  jwks?.close();
});

describe('token verifier', () => {
  it('verifies ES256 and EdDSA tokens against a JWKS and refuses unknown keys', async () => {
    const verifier = createTokenVerifier(loadConfig({ JWT_JWKS_URL: jwksUrl }).jwt);
    expect(await verifier.verify(await sign(ec.privateKey, 'ES256', 'ec-1'))).toMatchObject({ userId: 'olga', deviceId: null });
    expect(await verifier.verify(await sign(ed.privateKey, 'EdDSA', 'ed-1'))).toMatchObject({ userId: 'olga' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(verifier.verify(await sign(stranger.privateKey, 'ES256', 'ec-9'))).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('verifies an Ed25519 public key from PEM and refuses another algorithm family', async () => {
    const pem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verifier = createTokenVerifier(loadConfig({ JWT_PUBLIC_KEY: pem }).jwt);
    expect(await verifier.verify(await sign(ed.privateKey, 'EdDSA'))).toMatchObject({ userId: 'olga' });
    await expect(verifier.verify(await sign(ec.privateKey, 'ES256'))).rejects.toMatchObject({ code: 'unauthorized', message: 'token algorithm not allowed' });
  });

  it('round-trips dev tokens with millisecond iat, the device binding, iss and aud', async () => {
    const jwt = loadConfig({ JWT_SECRET: 'k'.repeat(40), JWT_ISSUER: 'me', JWT_AUDIENCE: 'us' }).jwt;
    const before = Date.now();
    const { token, expiresAt } = await createDevTokenSigner(jwt).sign({ userId: 'pia', deviceId: 'pia-tv', ttlSec: 60 });
    const claims = await createTokenVerifier(jwt).verify(token);
    expect(claims).toMatchObject({ userId: 'pia', deviceId: 'pia-tv', expiresAt });
    expect(claims.issuedAt).toBeGreaterThanOrEqual(before);
  });

  it('verifies HMAC tokens of each allowed algorithm again and again (cached keys), and refuses the others', async () => {
    const secret = 's'.repeat(40);
    const key = new TextEncoder().encode(secret);
    const hmac = (alg: string, with_ = key) => new SignJWT({}).setProtectedHeader({ alg }).setSubject('olga').setIssuedAt().setExpirationTime('10m').sign(with_);
    const verifier = createTokenVerifier(loadConfig({ JWT_SECRET: secret, JWT_ALGORITHMS: 'HS256,HS512' }).jwt);
    for (let i = 0; i < 3; i++) {
      expect(await verifier.verify(await hmac('HS256'))).toMatchObject({ userId: 'olga' });
      expect(await verifier.verify(await hmac('HS512'))).toMatchObject({ userId: 'olga' });
    }
    await expect(verifier.verify(await hmac('HS384'))).rejects.toMatchObject({ code: 'unauthorized', message: 'token algorithm not allowed' });
    await expect(verifier.verify(await hmac('HS256', new TextEncoder().encode('t'.repeat(40))))).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'token signature invalid',
    });
  });
});
