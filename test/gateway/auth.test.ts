import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess, type MintTokenOptions } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { call, connect, disconnected, nextPush, ok, refusal, type ClientSocket } from './helpers.ts';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'tandem';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

let redis: RedisServer;
let hs: GatewayProcess;
let rs: GatewayProcess;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const sockets: ClientSocket[] = [];

/** A token the HS node accepts, with overrides. */
const good = (overrides: Partial<MintTokenOptions> = {}) =>
  mintToken({ userId: 'erin', deviceId: 'erin-phone', issuer: ISSUER, audience: AUDIENCE, ...overrides });

const codeFor = (node: GatewayProcess, token: string, deviceId = 'erin-phone') => refusal(node.url, { token, deviceId });

beforeAll(async () => {
  redis = await startRedis();
  [hs, rs] = await Promise.all([
    startGateway({ redisUrl: redis.url, nodeId: 'hs-node', env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } }),
    startGateway({ redisUrl: redis.url, nodeId: 'rs-node', jwtSecret: null, env: { JWT_PUBLIC_KEY: rsaPublicPem } }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([hs?.kill(), rs?.kill()]);
  await redis?.stop();
});

describe('handshake authentication', () => {
  it('accepts a valid token and refuses a missing or malformed one', async () => {
    const socket = await connect(hs.url, { token: await good(), deviceId: 'erin-phone' });
    sockets.push(socket);
    expect(socket.connected).toBe(true);
    expect(await refusal(hs.url, { token: '', deviceId: 'x', auth: { deviceId: 'erin-phone', protocol: PROTOCOL_VERSION } })).toMatchObject({
      code: 'unauthorized',
    });
    expect(await codeFor(hs, 'not-a-jwt')).toMatchObject({ code: 'unauthorized' });
    expect(await codeFor(hs, 'a.b.c')).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses expired, not-yet-valid and future-issued tokens, and tokens without exp', async () => {
    expect(await codeFor(hs, await good({ expiresAt: now() - 60, issuedAt: now() - 120 }))).toEqual({ code: 'token_expired', message: expect.stringMatching(/^token expired/) });
    expect(await codeFor(hs, await good({ notBefore: now() + 120 }))).toEqual({ code: 'unauthorized', message: 'token not yet valid' });
    expect(await codeFor(hs, await good({ issuedAt: now() + 120 }))).toMatchObject({ code: 'unauthorized' });
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('erin')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(new TextEncoder().encode('tandem-test-secret-0123456789abcdef-not-for-production'));
    // The refusal names the claim and what it must hold (README "Tokens").
    expect(await codeFor(hs, noExp)).toEqual({ code: 'unauthorized', message: expect.stringMatching(/^token has no "exp" claim \(the expiry in seconds/) });
  });

  it('refuses a wrong or missing issuer or audience', async () => {
    expect(await codeFor(hs, await good({ issuer: 'https://evil.test' }))).toMatchObject({ code: 'unauthorized' });
    expect(await codeFor(hs, await good({ audience: 'someone-else' }))).toMatchObject({ code: 'unauthorized' });
    expect(await codeFor(hs, await mintToken({ userId: 'erin', audience: AUDIENCE }))).toMatchObject({ code: 'unauthorized' });
    expect(await codeFor(hs, await mintToken({ userId: 'erin', issuer: ISSUER }))).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a wrong key, alg none, and a tampered payload', async () => {
    expect(await codeFor(hs, await good({ secret: 'another-secret-that-is-long-enough-000000' }))).toEqual({
      code: 'unauthorized',
      message: 'token signature invalid',
    });
    const claims = { sub: 'erin', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600 };
    expect(await codeFor(hs, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).toMatchObject({ code: 'unauthorized' });

    const [header, , signature] = (await good()).split('.');
    const tampered = `${header}.${b64({ ...claims, sub: 'mallory', did: 'erin-phone' })}.${signature}`;
    expect(await codeFor(hs, tampered)).toEqual({ code: 'unauthorized', message: 'token signature invalid' });
  });

  it('refuses an invalid subject, a token bound to another device, and a token in the URL', async () => {
    expect(await codeFor(hs, await good({ userId: 'has{braces}' }))).toMatchObject({ code: 'unauthorized' });
    expect(await codeFor(hs, await good(), 'erin-laptop')).toEqual({ code: 'unauthorized', message: 'token is bound to another device' });
    const token = await good();
    const refused = await refusal(hs.url, { token, deviceId: 'erin-phone', query: { token } });
    expect(refused).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a handshake with another protocol version as bad_request', async () => {
    const refused = await refusal(hs.url, { token: '', deviceId: '', auth: { token: await good(), deviceId: 'erin-phone', protocol: 999 } });
    expect(refused).toMatchObject({ code: 'bad_request' });
  });

  it('accepts RS256 from the configured public key and refuses HS/RS key confusion and other RSA keys', async () => {
    const rsToken = (key = rsa.privateKey) =>
      new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('frank').setIssuedAt().setExpirationTime('1h').sign(key);
    const socket = await connect(rs.url, { token: await rsToken(), deviceId: 'frank-phone' });
    sockets.push(socket);

    // The classic confusion attack: HS256 with the server's public key PEM as the HMAC secret.
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('frank')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(rsaPublicPem));
    expect(await refusal(rs.url, { token: confused, deviceId: 'frank-phone' })).toEqual({ code: 'unauthorized', message: 'token algorithm not allowed' });

    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await refusal(rs.url, { token: await rsToken(stranger.privateKey), deviceId: 'frank-phone' })).toMatchObject({ code: 'unauthorized' });
  });
});

describe('token lifetime on a live connection', () => {
  it('keeps a refreshed connection past the old expiry while an unrefreshed twin is closed, and lets it reconnect', async () => {
    const exp = now() + 3;
    const refreshed = await connect(hs.url, { token: await good({ userId: 'gina', deviceId: 'gina-phone', expiresAt: exp }), deviceId: 'gina-phone' });
    sockets.push(refreshed);

    // The twin reconnects by itself with whatever token `auth` hands it, like the SDK does.
    let twinToken = await good({ userId: 'gina', deviceId: 'gina-laptop', expiresAt: exp });
    const twin: ClientSocket = io(hs.url, {
      forceNew: true,
      transports: ['websocket'],
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
      auth: (cb) => cb({ token: twinToken, deviceId: 'gina-laptop', protocol: PROTOCOL_VERSION }),
    });
    sockets.push(twin);
    await new Promise<void>((resolve) => twin.once('connect', () => resolve()));

    expect(await call(refreshed, 'auth:refresh', { token: await good({ userId: 'someone-else', deviceId: 'gina-phone' }) })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    const fresh = await ok(refreshed, 'auth:refresh', { token: await good({ userId: 'gina', deviceId: 'gina-phone', ttlSec: 3600 }) });
    expect(fresh.expiresAt).toBeGreaterThan(exp * 1000);

    const ending = nextPush(twin, 'session:ending');
    const closed = disconnected(twin);
    expect(await ending).toMatchObject({ reason: 'token_expired' });
    twinToken = await good({ userId: 'gina', deviceId: 'gina-laptop' });
    const back = new Promise<void>((resolve) => twin.once('connect', () => resolve()));
    // "transport close" leaves socket.io-client free to reconnect (unlike a server disconnect).
    expect(await closed).toBe('transport close');
    await back;

    // Both expiries were filed in the same second: the refreshed socket outlived the sweep that closed the twin.
    expect(refreshed.connected).toBe(true);
    expect(await ok(refreshed, 'devices:list', {})).toMatchObject({ devices: expect.any(Array) });
    expect(await ok(twin, 'devices:list', {})).toMatchObject({ devices: expect.any(Array) });
  });
});
