import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.ts';

const SECRET = 's'.repeat(32);
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('config was accepted');
};

describe('loadConfig', () => {
  it('reads the watch resume rules, with the streaming defaults, and refuses a minimum above the maximum', () => {
    expect(loadConfig({}).watch).toEqual({ minResumePct: 5, maxResumePct: 90, minDurationSec: 300, creditsSec: 30 });
    const custom = loadConfig({ WATCH_MIN_RESUME_PCT: '2.5', WATCH_MAX_RESUME_PCT: '95', WATCH_MIN_DURATION_SEC: '60', WATCH_CREDITS_SEC: '0' });
    expect(custom.watch).toEqual({ minResumePct: 2.5, maxResumePct: 95, minDurationSec: 60, creditsSec: 0 });
    expect(problems({ WATCH_MIN_RESUME_PCT: '50', WATCH_MAX_RESUME_PCT: '40' })).toEqual([{ variable: 'WATCH_MIN_RESUME_PCT', problem: expect.stringMatching(/WATCH_MAX_RESUME_PCT/) }]);
    expect(problems({ WATCH_MAX_RESUME_PCT: '101' })).toEqual([{ variable: 'WATCH_MAX_RESUME_PCT', problem: expect.any(String) }]);
    expect(problems({ WATCH_CREDITS_SEC: 'soon' })).toEqual([{ variable: 'WATCH_CREDITS_SEC', problem: expect.any(String) }]);
  });

  it('defaults to one embedded node: memory engine, ephemeral secret, dev tokens, loud warnings', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', redis: null, devTokens: true, corsOrigins: [] });
    expect(config.jwt.key).toMatchObject({ kind: 'secret', ephemeral: true });
    expect(config.jwt.algorithms).toEqual(['HS256']);
    expect(config.ping).toEqual({ intervalMs: 5000, timeoutMs: 5000 });
    expect(config.drain).toEqual({ windowMs: 3000, timeoutMs: 8000 });
    expect(config.warnings.join('\n')).toMatch(/EPHEMERAL/);
  });

  it('configures Redis nodes, which must share a key and have dev tokens off unless asked', () => {
    const config = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379', JWT_SECRET: SECRET, JWT_ISSUER: 'iss', JWT_AUDIENCE: 'aud' });
    expect(config).toMatchObject({ host: '0.0.0.0', devTokens: false, redis: { url: 'redis://10.0.0.5:6379', adapter: 'sharded', commandTimeoutMs: 1000 } });
    expect(config.jwt).toMatchObject({ issuer: 'iss', audience: 'aud', clockToleranceSec: 5 });
    expect(problems({ REDIS_URL: 'redis://10.0.0.5:6379' })).toEqual([{ variable: 'JWT_SECRET', problem: expect.stringMatching(/share a key/) }]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000, b:7001', JWT_SECRET: SECRET }).redis?.clusterNodes).toEqual(['a:7000', 'b:7001']);
  });

  it('picks the algorithm from the public key type and refuses misfit overrides', () => {
    const pem = (type: 'rsa' | 'ec' | 'ed25519') => {
      const pair =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : type === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
            : generateKeyPairSync('ed25519');
      return pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    };
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('rsa') }).jwt.algorithms).toEqual(['RS256']);
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('ec') }).jwt.algorithms).toEqual(['ES256']);
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('ed25519').replaceAll('\n', '\\n') }).jwt.algorithms).toEqual(['EdDSA', 'Ed25519']);
    expect(loadConfig({ JWT_JWKS_URL: 'https://idp.example/jwks.json' }).jwt.algorithms).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(problems({ JWT_SECRET: SECRET, JWT_ALGORITHMS: 'HS256,RS256' })).toEqual([{ variable: 'JWT_ALGORITHMS', problem: expect.stringMatching(/RS256/) }]);
    expect(problems({ JWT_PUBLIC_KEY: 'not a key' })).toEqual([{ variable: 'JWT_PUBLIC_KEY', problem: 'not a PEM public key' }]);
  });

  it('names the variable and the reason for each bad value', () => {
    expect(problems({ PORT: '70000' })[0]?.variable).toBe('PORT');
    expect(problems({ REDIS_URL: 'http://x' })[0]).toMatchObject({ variable: 'REDIS_URL' });
    expect(problems({ CORS_ORIGINS: 'https://ok.example,not an origin' })[0]).toMatchObject({ variable: 'CORS_ORIGINS' });
    expect(problems({ DEV_TOKENS: 'maybe' })[0]).toMatchObject({ variable: 'DEV_TOKENS' });
    expect(problems({ JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://idp.example/jwks' })[0]).toMatchObject({ variable: 'JWT_SECRET, JWT_JWKS_URL' });
    expect(problems({ JWT_JWKS_URL: 'http://idp.example/jwks' })[0]).toMatchObject({ variable: 'JWT_JWKS_URL', problem: 'must be https' });
    expect(problems({ DRAIN_WINDOW_MS: '9000' })[0]).toMatchObject({ variable: 'DRAIN_TIMEOUT_MS' });
  });

  it('refuses production without JWT configuration, and dev tokens in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([{ variable: 'JWT_SECRET', problem: expect.stringMatching(/production/) }]);
    expect(problems({ NODE_ENV: 'production', JWT_SECRET: SECRET, DEV_TOKENS: 'true' })).toEqual([
      { variable: 'DEV_TOKENS', problem: expect.stringMatching(/production/) },
    ]);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET })).toMatchObject({ devTokens: false, demoDir: null });
  });

  it('normalizes origins and treats empty variables as unset', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example/, http://localhost:5173', PORT: '' }).corsOrigins).toEqual([
      'https://app.example',
      'http://localhost:5173',
    ]);
  });
});
