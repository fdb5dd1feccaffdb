import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { SignJWT } from 'jose';
import { mintToken, startGateway, TEST_JWT_SECRET } from '../../../support/gateway-process.ts';
import type { Cleanup } from '../../../support/cleanup.ts';
import { connectProbe } from '../../harness/probe.ts';
import { check, type Check } from '../../harness/scenario.ts';

const ISSUER = 'tandem-test-issuer';
const AUDIENCE = 'tandem-test';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The code a connection attempt was refused with ('accepted' when it was not). */
async function refusalCode(url: string, token: string, deviceId: string, extra: { query?: Record<string, string>; auth?: Record<string, unknown> } = {}): Promise<string> {
  const outcome = await connectProbe({ url, userId: 'attacker', deviceId, token, ...extra });
  if (outcome.ok) {
    outcome.probe.close();
    return 'accepted';
  }
  return (outcome.error.data as { code?: string } | undefined)?.code ?? `no code (${outcome.error.message})`;
}

/** Every forged, stale or misplaced token is refused with the right code; a good one gets in (the control). */
export async function tokenAttacks(options: { cleanup: Cleanup; mainUrl: string; tokens: string[] }): Promise<Check[]> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // A node that trusts an RS256 public key and requires iss and aud: where key confusion would bite.
  const rs = await startGateway({
    nodeId: 'rs256',
    jwtSecret: null,
    env: { JWT_PUBLIC_KEY: publicPem, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, DEV_TOKENS: 'false', LOG_LEVEL: 'debug' },
  });
  options.cleanup.add('rs256 gateway', () => rs.kill('SIGKILL').then(() => undefined));
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'attacker', did: 'dev', iss: ISSUER, aud: AUDIENCE };
  const rsSigned = (payload: Record<string, unknown>, exp: number | null = now + 600) => {
    let jwt = new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).setIssuedAt(now);
    if (exp !== null) jwt = jwt.setExpirationTime(exp);
    return jwt.sign(privateKey);
  };
  const good = await rsSigned(claims);
  const [header, payload] = good.split('.');
  const tampered = `${header}.${b64({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'victim' })}.${good.split('.')[2]}`;
  const cases: Array<{ name: string; token: string; want: string[]; url?: string; query?: Record<string, string> }> = [
    { name: 'control: a valid RS256 token with iss and aud', token: good, want: ['accepted'] },
    { name: 'alg: none', token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now + 600, iat: now })}.`, want: ['unauthorized'] },
    {
      name: 'HS256 signed with the RS256 public key (key confusion)',
      token: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(publicPem)),
      want: ['unauthorized'],
    },
    { name: 'expired', token: await rsSigned(claims, now - 120), want: ['token_expired'] },
    { name: 'not yet valid (nbf in 10 minutes)', token: await rsSigned({ ...claims, nbf: now + 600 }), want: ['unauthorized'] },
    { name: 'wrong issuer', token: await rsSigned({ ...claims, iss: 'evil' }), want: ['unauthorized'] },
    { name: 'wrong audience', token: await rsSigned({ ...claims, aud: 'someone-else' }), want: ['unauthorized'] },
    { name: 'tampered payload (sub changed after signing)', token: tampered, want: ['unauthorized'] },
    { name: 'no exp', token: await rsSigned(claims, null), want: ['unauthorized'] },
    { name: 'issued in the future', token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setIssuedAt(now + 3600).setExpirationTime(now + 7200).sign(privateKey), want: ['unauthorized'] },
    { name: 'bound to another device (did)', token: await rsSigned({ ...claims, did: 'someone-elses-phone' }), want: ['unauthorized'] },
    { name: 'garbage', token: 'not.a.jwt', want: ['unauthorized'] },
    {
      name: 'HS256 node: signed with another secret',
      url: options.mainUrl,
      token: await mintToken({ userId: 'attacker', deviceId: 'dev', secret: `${TEST_JWT_SECRET}-but-not-quite` }),
      want: ['unauthorized'],
    },
    {
      name: 'HS256 node: a valid token in the query string',
      url: options.mainUrl,
      token: await mintToken({ userId: 'attacker', deviceId: 'dev' }),
      query: { token: await mintToken({ userId: 'attacker', deviceId: 'dev' }) },
      want: ['unauthorized'],
    },
  ];
  const checks: Check[] = [];
  for (const c of cases) {
    options.tokens.push(c.token);
    const code = await refusalCode(c.url ?? rs.url, c.token, 'dev', c.query ? { query: c.query } : {});
    checks.push(check(`token: ${c.name} → ${c.want.join(' or ')}`, c.want.includes(code), code));
  }
  const leaked = rs.logs().filter((line) => options.tokens.some((t) => t.length > 20 && line.includes(t.split('.')[2] || t)));
  checks.push(check('rs256 node (debug logs): no token in any log line', leaked.length === 0, leaked.length === 0 ? `${rs.logs().length} lines clean` : leaked[0]?.slice(0, 160) ?? ''));
  return checks;
}

/** The HTTP status a WebSocket upgrade gets (101 when accepted). */
export function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/socket.io/?EIO=4&transport=websocket',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(-1));
    req.setTimeout(5000, () => {
      req.destroy();
      resolve(-2);
    });
    req.end();
  });
}

/** A foreign Origin is refused with an HTTP 4xx at the upgrade, before any auth runs; no Origin is fine. */
export async function originAttack(port: number): Promise<Check[]> {
  const foreign = await upgradeStatus(port, { Origin: 'https://evil.example' });
  const none = await upgradeStatus(port, {});
  return [
    check('a disallowed Origin gets an HTTP 4xx before auth', foreign >= 400 && foreign < 500, `HTTP ${foreign}`),
    check('control: no Origin (a native app) upgrades', none === 101, `HTTP ${none}`),
  ];
}
