import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configHelp, loadConfig } from '../../server/config.ts';
import { WEBHOOK_CONFIG_VARIABLES, declaredEndpointId, parseRetrySchedule } from '../../server/config/webhooks.ts';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../server/webhooks/retry-policy.ts';
import { generateSecret } from '../../server/webhooks/signing.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-webhooks-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: unknown) => {
  const path = join(dir, `hooks-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('config was accepted');
};

describe('webhook configuration', () => {
  it('defaults to the specification schedule, https only, public addresses only, 15 s, 2 s debounce', () => {
    const { webhooks } = loadConfig({});
    expect(webhooks).toMatchObject({
      endpoints: [],
      debounceMs: 2000,
      disconnectGraceMs: 3000,
      safety: { allowHttp: false, allowPrivate: false },
      timeoutMs: 15_000,
      concurrencyPerEndpoint: 8,
    });
    expect(webhooks.retry.scheduleMs).toEqual(DEFAULT_RETRY_SCHEDULE_MS);
    expect(webhooks.retry.disableAfterMs).toBe(5 * 86_400_000);
  });

  it('reads every variable', () => {
    const { webhooks } = loadConfig({
      WEBHOOK_DEBOUNCE_MS: '50',
      WEBHOOK_DISCONNECT_GRACE_MS: '100',
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_SCHEDULE: '0, 100ms, 0.5s, 200',
      WEBHOOK_DISABLE_AFTER_MS: '60000',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_CONCURRENCY: '3',
    });
    expect(webhooks).toMatchObject({ debounceMs: 50, disconnectGraceMs: 100, safety: { allowHttp: true, allowPrivate: true }, timeoutMs: 1500, concurrencyPerEndpoint: 3 });
    expect(webhooks.retry.scheduleMs).toEqual([0, 100, 500, 200]);
    expect(webhooks.retry.disableAfterMs).toBe(60_000);
  });

  it('reads a retry schedule with units and refuses what it cannot read', () => {
    expect(parseRetrySchedule('0,5s,5m,30m,2h,5h,10h,10h')).toEqual(DEFAULT_RETRY_SCHEDULE_MS);
    expect(parseRetrySchedule('5s,10s')).toMatch(/start the list with 0/);
    expect(parseRetrySchedule('0,soon')).toMatch(/cannot read "soon"/);
    expect(parseRetrySchedule('0,200h')).toMatch(/longer than a week/);
    expect(parseRetrySchedule(Array(21).fill('0').join(','))).toMatch(/at most 20/);
    expect(problems({ WEBHOOK_RETRY_SCHEDULE: '1,2' })).toEqual([{ variable: 'WEBHOOK_RETRY_SCHEDULE', problem: expect.stringMatching(/with 0/) }]);
  });

  it('names the variable of each bad value', () => {
    expect(problems({ WEBHOOK_DEBOUNCE_MS: 'soon' })[0]?.variable).toBe('WEBHOOK_DEBOUNCE_MS');
    expect(problems({ WEBHOOKS_ALLOW_HTTP: 'maybe' })[0]?.variable).toBe('WEBHOOKS_ALLOW_HTTP');
    expect(problems({ WEBHOOK_TIMEOUT_MS: '10' })[0]?.variable).toBe('WEBHOOK_TIMEOUT_MS');
    expect(problems({ WEBHOOK_CONCURRENCY: '0' })[0]?.variable).toBe('WEBHOOK_CONCURRENCY');
  });

  it('warns in production when a safety flag is off', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOKS_ALLOW_HTTP: 'true' });
    expect(config.warnings.join('\n')).toMatch(/WEBHOOKS_ALLOW_PRIVATE is on/);
    expect(config.warnings.join('\n')).toMatch(/WEBHOOKS_ALLOW_HTTP is on/);
  });

  it('lists its variables in --help', () => {
    for (const [name] of WEBHOOK_CONFIG_VARIABLES) expect(configHelp()).toContain(name);
  });
});

describe('WEBHOOKS_FILE', () => {
  const secret = generateSecret().text;
  const older = generateSecret().text;

  it('declares endpoints with stable ids', () => {
    const path = file({
      endpoints: [
        { url: 'https://hooks.example.com/tandem', events: ['cart.updated', 'cart.updated', 'user.erased'], secret, description: 'orders' },
        { id: 'ep_analytics', url: 'https://analytics.example.com/in', events: ['watch.completed'], secret: [secret, older] },
      ],
    });
    const { webhooks } = loadConfig({ WEBHOOKS_FILE: path });
    expect(webhooks.endpoints).toEqual([
      { id: declaredEndpointId('https://hooks.example.com/tandem'), url: 'https://hooks.example.com/tandem', events: ['cart.updated', 'user.erased'], secrets: [secret], description: 'orders' },
      { id: 'ep_analytics', url: 'https://analytics.example.com/in', events: ['watch.completed'], secrets: [secret, older], description: null },
    ]);
    expect(declaredEndpointId('https://hooks.example.com/tandem')).toMatch(/^ep_file_[0-9a-f]{16}$/);
    expect(loadConfig({ WEBHOOKS_FILE: path }).webhooks.endpoints[0]?.id).toBe(webhooks.endpoints[0]?.id);
  });

  it('refuses a file it cannot read or parse, with a clear problem', () => {
    expect(problems({ WEBHOOKS_FILE: join(dir, 'missing.json') })).toEqual([{ variable: 'WEBHOOKS_FILE', problem: 'cannot read the file' }]);
    expect(problems({ WEBHOOKS_FILE: file('{not json') })).toEqual([{ variable: 'WEBHOOKS_FILE', problem: 'file: not valid JSON' }]);
    expect(problems({ WEBHOOKS_FILE: file({ endpoint: [] }) })[0]?.variable).toBe('WEBHOOKS_FILE');
    const unknownField = problems({ WEBHOOKS_FILE: file({ endpoints: [{ url: 'https://a.example/', events: ['cart.updated'], secret, extra: 1 }] }) });
    expect(unknownField[0]?.problem).toMatch(/^endpoints\.0/);
    const noEvents = problems({ WEBHOOKS_FILE: file({ endpoints: [{ url: 'https://a.example/', events: [], secret }] }) });
    expect(noEvents[0]?.problem).toMatch(/endpoints\.0\.events: list at least one event type/);
    const unknownEvent = problems({ WEBHOOKS_FILE: file({ endpoints: [{ url: 'https://a.example/', events: ['cart.updated', 'cart.exploded'], secret }] }) });
    expect(unknownEvent).toEqual([{ variable: 'WEBHOOKS_FILE', problem: expect.stringMatching(/^endpoints\.0\.events\.1: .*cart\.updated/) }]);
  });

  it('refuses bad secrets without showing them', () => {
    const bad = 'whsec_c2hvcnQ=';
    const found = problems({ WEBHOOKS_FILE: file({ endpoints: [{ url: 'https://a.example/', events: ['cart.updated'], secret: bad }] }) });
    expect(found).toEqual([{ variable: 'WEBHOOKS_FILE', problem: expect.stringMatching(/^endpoints\.0\.secret: too_short/) }]);
    expect(JSON.stringify(found)).not.toContain('c2hvcnQ');
    const noPrefix = problems({ WEBHOOKS_FILE: file({ endpoints: [{ url: 'https://a.example/', events: ['cart.updated'], secret: [secret, 'plain'] }] }) });
    expect(noPrefix[0]?.problem).toMatch(/^endpoints\.0\.secret\.1: missing_prefix/);
  });

  it('applies the safety rules to declared URLs, and the flags relax them', () => {
    const path = file({ endpoints: [{ url: 'http://127.0.0.1:9000/hooks', events: ['cart.updated'], secret }] });
    expect(problems({ WEBHOOKS_FILE: path })[0]?.problem).toMatch(/scheme_not_allowed/);
    expect(problems({ WEBHOOKS_FILE: path, WEBHOOKS_ALLOW_HTTP: 'true' })[0]?.problem).toMatch(/address_not_allowed/);
    expect(loadConfig({ WEBHOOKS_FILE: path, WEBHOOKS_ALLOW_HTTP: 'true', WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooks.endpoints).toHaveLength(1);
  });

  it('refuses two entries with one id', () => {
    const path = file({ endpoints: [{ url: 'https://a.example/', events: ['cart.updated'], secret }, { url: 'https://a.example/', events: ['user.erased'], secret }] });
    expect(problems({ WEBHOOKS_FILE: path })[0]?.problem).toMatch(/endpoints\.1\.id: .* declared twice/);
  });
});
