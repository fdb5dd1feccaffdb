import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

const root = new URL('../../', import.meta.url);
const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const demo = readFileSync(new URL('docker-compose.demo.yml', root), 'utf8');
const demoRedis = readFileSync(new URL('demo/cluster/redis.ts', root), 'utf8');
/** The file without its comment lines: what Compose reads. */
const live = (text: string) => text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');

let redis: RedisServer | undefined;
afterAll(async () => {
  await redis?.stop();
});

describe('docker-compose.yml', () => {
  it('refuses to start without JWT_SECRET instead of falling back to a published one', () => {
    expect(live(compose)).toMatch(/JWT_SECRET: \$\{JWT_SECRET:\?[^}]+\}/);
    expect(live(compose)).not.toMatch(/JWT_SECRET:-/);
  });

  it('runs production settings; dev tokens, the demo page and development mode only in the demo override', () => {
    expect(live(compose)).toContain('NODE_ENV: production');
    expect(live(compose)).toContain('DEV_TOKENS: "false"');
    expect(live(compose)).toContain('SERVE_DEMO: "false"');
    expect(live(compose)).not.toMatch(/DEV_TOKENS: .*true|NODE_ENV: .*development/);
    expect(live(demo)).toContain('DEV_TOKENS: "true"');
    expect(live(demo)).toContain('NODE_ENV: development');
  });

  it('publishes only the balancer\'s socket port', () => {
    const published = [...live(compose).matchAll(/ports:\n((?:\s+- .+\n)+)/g)].flatMap((m) => (m[1] ?? '').trim().split('\n').map((l) => l.trim()));
    expect(published).toEqual(['- "4000:4000"']);
  });

  it('bounds Redis normal-client output buffers, in compose and in the demo, with a setting Redis accepts', async () => {
    const setting = 'normal 64mb 32mb 10';
    expect(live(compose)).toContain(`"--client-output-buffer-limit", "${setting}"`);
    expect(demoRedis).toContain(`'--client-output-buffer-limit', '${setting}'`);
    redis = await startRedis({ args: ['--client-output-buffer-limit', setting] });
    const client = new Redis(redis.url);
    const [, value] = (await client.config('GET', 'client-output-buffer-limit')) as [string, string];
    await client.quit();
    expect(value).toContain('normal 67108864 33554432 10');
  });
});
