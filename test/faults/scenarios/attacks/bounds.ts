import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { LIMITS } from '../../../../client-sdk/src/protocol/index.ts';
import type { Engine } from '../../../../server/engine/engine.ts';
import { mintToken } from '../../../support/gateway-process.ts';
import { answerCode, mustConnect, type Probe } from '../../harness/probe.ts';
import { bar, check, type Check } from '../../harness/scenario.ts';
import { ms, pause, waitUntil } from '../../harness/stats.ts';

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line?.replace(/\D+/g, '') ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

const WIDE = {
  title: '\uFFFF'.repeat(LIMITS.titleLength),
  priceCents: LIMITS.priceCentsMax,
  qty: 1,
  attributes: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${i}`, '/'.repeat(LIMITS.attributeValueLength)])),
};

/** A user whose log holds `changes` of the widest cart lines, written straight into the store. */
async function seedWideLog(engine: Engine, userId: string, changes: number): Promise<string> {
  const actor = { userId, deviceId: 'seed', connId: `seed-${userId}`, issuedAt: Date.now() };
  await engine.connectDevice(userId, { ...actor, name: 'seed', kind: 'tablet', nodeId: 'seed' });
  for (let seq = 1; seq <= changes; seq += 100) {
    const batch = Array.from({ length: Math.min(100, changes - seq + 1) }, (_, i) => ({ event: 'cart:add' as const, request: { ...WIDE, seq: seq + i, sku: `wide-${(seq + i) % 2}` } }));
    await engine.mutateBatch(actor, batch);
  }
  return (await engine.sync(userId, null)).epoch;
}

/**
 * Row 1 of issue 14: ordinary users, each inside its rate limit, ask `sync:since` for their longest catch-up
 * as fast as their bounds allow (more in flight than allowed, on purpose) for `durationMs`. Every answer must
 * stay within LIMITS.syncBytes, the cost by size must hold them to their bucket, and Redis' output buffers,
 * Redis' memory and the node's RSS must grow by a bounded amount.
 */
export async function bigAnswerAttack(options: {
  engine: Engine;
  redisUrl: string;
  url: string;
  nodePid: number | undefined;
  rate: { perSecond: number; burst: number };
  durationMs: number;
}): Promise<{ checks: Check[]; figures: Record<string, string>; window: [number, number] }> {
  const users = ['big-0', 'big-1', 'big-2'];
  const epochs = await Promise.all(users.map((u) => seedWideLog(options.engine, u, 600)));
  const probe = new Redis(options.redisUrl);
  const attackers: Probe[] = await Promise.all(users.map((userId) => mustConnect({ url: options.url, userId, deviceId: 'reader' })));
  const redisBefore = infoField(await probe.info('memory'), 'used_memory');
  const rssBefore = rssBytes(options.nodePid);
  let redisPeak = redisBefore;
  let rssPeak = rssBefore;
  let bufferPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssBytes(options.nodePid));
    void probe.info().then(
      (info) => {
        redisPeak = Math.max(redisPeak, infoField(info, 'used_memory'));
        bufferPeak = Math.max(bufferPeak, infoField(info, 'client_recent_max_output_buffer'));
      },
      () => {},
    );
  }, 200);
  const codes = new Map<string, number>();
  let largest = 0;
  let cost = 0;
  const start = Date.now();
  const end = start + options.durationMs;
  // Twelve requests kept outstanding per attacker: four more than a connection may have in flight.
  await Promise.all(
    attackers.flatMap((attacker, i) =>
      Array.from({ length: 12 }, async () => {
        while (Date.now() < end) {
          const { answer } = await attacker.request('sync:since', { since: { epoch: epochs[i], version: 0 } }, 10_000);
          const code = answerCode(answer);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (code !== 'ok') {
            await pause(20);
            continue;
          }
          const sync = (answer as { sync?: { changes?: unknown[] } }).sync;
          const bytes = Buffer.byteLength(JSON.stringify(sync?.changes ?? []));
          largest = Math.max(largest, bytes);
          cost += 1 + Math.floor(bytes / LIMITS.rateBytesPerToken);
        }
      }),
    ),
  );
  const finished = Date.now();
  clearInterval(sampler);
  for (const a of attackers) a.close();
  probe.disconnect();
  const seconds = (finished - start) / 1000;
  // Each user's bucket: its burst plus the refill over the attack (and the connect took one).
  const budget = users.length * (options.rate.burst + options.rate.perSecond * seconds);
  const bufferBound = users.length * Math.min(LIMITS.inFlightPerConnection, LIMITS.inFlightPerUser) * (LIMITS.syncBytes + 65_536);
  const text = [...codes].map(([c, n]) => `${c} ${n}`).join(', ');
  const checks = [
    check(`big answers: every sync answer's changes within LIMITS.syncBytes (${LIMITS.syncBytes} B)`, (codes.get('ok') ?? 0) > 0 && largest <= LIMITS.syncBytes, `largest ${largest} B; answers ${text}`),
    check('big answers: the cost by size holds each user to its bucket', cost <= budget * 1.1 + 10, `tokens spent by answers ${cost}, budget ${Math.round(budget)}`),
    check('big answers: more than LIMITS.inFlightPerConnection outstanding are refused rate_limited', (codes.get('rate_limited') ?? 0) > 0, text),
    // Open (issue 14 row 1): on a 2-core CI machine some answers of this attack took over 10 s (44 of 1,860 in one
    // run); reported as a bar until a per-user bytes budget holds the node's latency under the attack.
    bar('big answers: every request answered within 10 s', (codes.get('timeout') ?? 0) === 0, text),
    // Replies queue on the node's one commands connection: at most the requests in flight, each one page (and
    // the device list) at most.
    check('big answers: Redis output buffers stay within the in-flight bound × one page', bufferPeak <= bufferBound, `client_recent_max_output_buffer peak ${mb(bufferPeak)}, bound ${mb(bufferBound)}`),
    check('big answers: Redis memory grows by ≤ 64 MB', redisPeak - redisBefore <= 64 * 1048576, `used_memory ${mb(redisBefore)} → peak ${mb(redisPeak)}`),
    bar('big answers: the node grows by ≤ 100 MB RSS', rssPeak - rssBefore <= 100 * 1048576, `RSS ${mb(rssBefore)} → peak ${mb(rssPeak)}`),
  ];
  const figures = {
    'big answers (3 users, 600 widest changes each)': `${ms(finished - start)}: ${text}; largest answer ${Math.round(largest / 1024)} KB; tokens ${cost}/${Math.round(budget)}`,
    'big answers: Redis used_memory / output buffer peak / node RSS': `+${mb(redisPeak - redisBefore)} / ${mb(bufferPeak)} / +${mb(rssPeak - rssBefore)}`,
  };
  return { checks, figures, window: [start, finished] };
}

/**
 * Row 3 of issue 14: with the revoke signal lost (every pub/sub connection killed), "sign out everywhere" on
 * another node still leaves the revoked socket nothing to read, and it is ended within 10 s.
 */
export async function lostSignalAttack(options: { redisUrl: string; urls: [string, string] }): Promise<{ checks: Check[]; figure: string }> {
  const issuedAt = Date.now() / 1000 - 5;
  const phone = await mustConnect({ url: options.urls[0], userId: 'lost-signal', deviceId: 'ls-phone', token: await mintToken({ userId: 'lost-signal', deviceId: 'ls-phone', issuedAt }) });
  const laptop = await mustConnect({ url: options.urls[1], userId: 'lost-signal', deviceId: 'ls-laptop', token: await mintToken({ userId: 'lost-signal', deviceId: 'ls-laptop', issuedAt }) });
  let closedAt: number | null = null;
  phone.socket.on('disconnect', () => (closedAt = Date.now()));
  const probe = new Redis(options.redisUrl);
  const killed = Number(await probe.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
  probe.disconnect();
  const signedOutAt = Date.now();
  const out = await laptop.request('auth:sign-out', { scope: 'everywhere' });
  const reads = [await phone.request('sync:since', { since: null }, 3000), await phone.request('devices:list', {}, 3000)].map((r) => answerCode(r.answer));
  await waitUntil(() => closedAt !== null, 12_000, 50);
  phone.close();
  laptop.close();
  const after = closedAt === null ? null : (closedAt as number) - signedOutAt;
  const readsRefused = reads.every((code) => code !== 'ok');
  return {
    checks: [
      check(
        'lost revoke signal: the revoked socket reads nothing and is ended within 10 s',
        answerCode(out.answer) === 'ok' && killed >= 1 && readsRefused && after !== null && after <= 10_000,
        `${killed} pub/sub connections killed; reads after sign-out: ${reads.join(', ')}; ended after ${ms(after)}`,
      ),
    ],
    figure: `reads ${reads.join(', ')}, ended after ${ms(after)}`,
  };
}
