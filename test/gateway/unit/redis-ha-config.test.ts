import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../../server/config.ts';

const SECRET = 's'.repeat(32);
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
  throw new Error('config was accepted');
};

describe('replicated Redis configuration', () => {
  it('configures Sentinel with its group name and passwords, and replica acknowledgements', () => {
    const config = loadConfig({
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,10.0.0.3:26380',
      REDIS_SENTINEL_NAME: 'tandem',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
      REDIS_PASSWORD: 'node-pass',
      REDIS_MIN_REPLICAS_ACK: '1',
      REDIS_REPLICAS_ACK_TIMEOUT_MS: '250',
      JWT_SECRET: SECRET,
    });
    expect(config.redis).toMatchObject({
      url: null,
      clusterNodes: [],
      ha: {
        sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }, { host: '10.0.0.3', port: 26380 }],
        sentinelName: 'tandem',
        sentinelPassword: 'sentinel-pass',
        password: 'node-pass',
        minReplicasAck: 1,
        replicasAckTimeoutMs: 250,
      },
    });
    expect(config.host).toBe('0.0.0.0');
  });

  it('defaults to no Sentinel and acknowledging the primary commit', () => {
    const config = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379', JWT_SECRET: SECRET });
    expect(config.redis?.ha).toEqual({ sentinels: [], sentinelName: 'mymaster', sentinelPassword: null, password: null, minReplicasAck: 0, replicasAckTimeoutMs: 500 });
  });

  it('refuses bad values, a Sentinel list beside a URL, a wait as long as the command timeout, and acks without Redis', () => {
    expect(problems({ REDIS_SENTINELS: 'nohost', JWT_SECRET: SECRET })).toContain('REDIS_SENTINELS');
    expect(problems({ REDIS_SENTINELS: 'a:1', REDIS_URL: 'redis://b:2', JWT_SECRET: SECRET })).toContain('REDIS_SENTINELS');
    expect(problems({ REDIS_URL: 'redis://b:2', REDIS_MIN_REPLICAS_ACK: '-1', JWT_SECRET: SECRET })).toContain('REDIS_MIN_REPLICAS_ACK');
    expect(problems({ REDIS_URL: 'redis://b:2', REDIS_MIN_REPLICAS_ACK: '1', REDIS_REPLICAS_ACK_TIMEOUT_MS: '1000', JWT_SECRET: SECRET })).toContain('REDIS_REPLICAS_ACK_TIMEOUT_MS');
    expect(problems({ REDIS_MIN_REPLICAS_ACK: '1' })).toContain('REDIS_MIN_REPLICAS_ACK');
    expect(problems({ REDIS_SENTINEL_NAME: 'bad name', REDIS_URL: 'redis://b:2', JWT_SECRET: SECRET })).toContain('REDIS_SENTINEL_NAME');
  });

  it('lists every variable in --help', () => {
    const names = CONFIG_VARIABLES.map(([name]) => name);
    for (const name of ['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD', 'REDIS_MIN_REPLICAS_ACK', 'REDIS_REPLICAS_ACK_TIMEOUT_MS']) {
      expect(names).toContain(name);
    }
  });
});
