import { REQUEST_EVENTS, REQUEST_SCHEMAS, isMutationEvent, isRequestEvent } from '../../../../client-sdk/src/protocol/index.ts';
import { mintToken, TEST_JWT_SECRET } from '../../../support/gateway-process.ts';
import { answerCode, connectProbe, mustConnect, type Probe } from '../../harness/probe.ts';
import type { Rng } from '../../harness/rng.ts';

const ODD_EVENTS = ['unknown:event', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'cart:add ', 'CART:ADD', 'change', 'devices', 'session:ending', 'e'.repeat(300)];
const KEYS = ['seq', 'sku', 'title', 'qty', 'priceCents', 'videoId', 'positionSec', 'durationSec', 'at', 'kind', 'since', 'epoch', 'version', 'token', 'scope', 'deviceId', 'userId', 'sub', '__proto__', 'constructor', 'prototype', 'toString', ''];

function randomString(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.1) return 'x'.repeat(rng.int(1000, 12_000));
  if (roll < 0.2) return '\ud800\udfff\ud800'.repeat(rng.int(1, 20));
  if (roll < 0.3) return '{"__proto__":{"polluted":true}}';
  if (roll < 0.4) return ['', ' ', 'null', 'undefined', 'NaN', '-1', '1e999', '../../etc/passwd', '{u:victim}', 'a\u0000b'][rng.int(0, 9)] ?? '';
  return Math.random().toString(36).slice(2, 2 + rng.int(0, 12));
}

function randomValue(rng: Rng, depth: number): unknown {
  const roll = rng.next();
  if (depth > 4 || roll < 0.3) {
    const leaf = rng.int(0, 9);
    return [null, true, false, 0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, -0, randomString(rng)][leaf];
  }
  if (roll < 0.5) return Array.from({ length: rng.int(0, 5) }, () => randomValue(rng, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = rng.int(0, 6); i > 0; i--) out[rng.pick(KEYS)] = randomValue(rng, depth + 1);
  // Own "__proto__" keys only survive when parsed from JSON, which is what the server sees.
  return JSON.parse(JSON.stringify(out).replace('"prototype"', '"__proto__"')) as unknown;
}

/** Nesting deep enough to hurt a recursive validator, still under the frame limit. */
function deepNesting(rng: Rng): unknown {
  const depth = rng.int(100, 3000);
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;
}

/** A valid request with one thing broken (type, range, extra key, missing key), to walk the validation paths. */
function almostValid(rng: Rng): { event: string; payload: unknown } {
  const valid: Array<{ event: string; payload: Record<string, unknown> }> = [
    { event: 'cart:add', payload: { seq: 1, sku: 'a', title: 'A', priceCents: 1, qty: 1 } },
    { event: 'cart:set', payload: { seq: 1, sku: 'a', qty: 1 } },
    { event: 'watch:report', payload: { seq: 1, videoId: 'v', positionSec: 1, durationSec: 2, at: 1, kind: 'seek' } },
    { event: 'sync:since', payload: { since: { epoch: 'e', version: 1 } } },
    { event: 'auth:sign-out', payload: { scope: 'device' } },
  ];
  const base = rng.pick(valid);
  const payload: Record<string, unknown> = { ...base.payload };
  const keys = Object.keys(payload);
  const key = rng.pick(keys);
  const how = rng.int(0, 4);
  if (how === 0) payload[key] = randomValue(rng, 3);
  else if (how === 1) delete payload[key];
  else if (how === 2) payload[rng.pick(KEYS)] = randomValue(rng, 3);
  else if (how === 3) payload[key] = typeof payload[key] === 'number' ? -5 : 12345;
  else payload[key] = { $gt: '' };
  return { event: base.event, payload };
}

/** Whether sending this could change state or end the fuzzer's own session (then it is not fuzz). */
function harmless(event: string, payload: unknown): boolean {
  if (!isRequestEvent(event)) return true;
  // Judge what goes on the wire: `obj.__proto__ = x` sets a prototype that JSON leaves out.
  const wire: unknown = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload) ?? 'null');
  return !REQUEST_SCHEMAS[event].safeParse(wire).success || event === 'sync:since' || event === 'devices:list';
}

export interface FuzzOutcome {
  sent: number;
  codes: Map<string, number>;
  disconnects: number;
  /** Malformed mutations the node did not answer bad_request to (evidence, the first few). */
  accepted: string[];
  /** Requests the node never answered (evidence, the first few). */
  unanswered: string[];
}

/** 10,000 malformed messages from several connections (each its own user) at a node that does not rate-limit them. */
export async function fuzz(options: { url: string; rng: Rng; messages: number; connections: number }): Promise<FuzzOutcome> {
  const codes = new Map<string, number>();
  let sent = 0;
  let disconnects = 0;
  const accepted: string[] = [];
  const unanswered: string[] = [];
  const per = Math.ceil(options.messages / options.connections);
  await Promise.all(
    Array.from({ length: options.connections }, async (_, lane) => {
      const rng = options.rng.fork();
      let probe: Probe = await mustConnect({ url: options.url, userId: `fuzz-${lane}`, deviceId: 'fuzzer' });
      for (let i = 0; i < per; i++) {
        if (!probe.socket.connected) {
          disconnects += 1;
          probe.close();
          probe = await mustConnect({ url: options.url, userId: `fuzz-${lane}`, deviceId: 'fuzzer' });
        }
        let message: { event: string; payload: unknown };
        const roll = rng.next();
        if (roll < 0.4) message = almostValid(rng);
        else if (roll < 0.45) message = { event: rng.pick(REQUEST_EVENTS), payload: deepNesting(rng) };
        else message = { event: rng.next() < 0.7 ? rng.pick(REQUEST_EVENTS) : rng.pick(ODD_EVENTS), payload: randomValue(rng, 0) };
        if (!harmless(message.event, message.payload)) continue;
        sent += 1;
        const shape = rng.int(0, 9);
        if (shape === 0) {
          // No ack at all: the handler must cope with a missing callback.
          probe.socket.emit(message.event, message.payload);
          continue;
        }
        const args = shape === 1 ? [message.payload, randomValue(rng, 2)] : shape === 2 ? [] : [message.payload];
        const answer = await new Promise<unknown>((resolve) => {
          probe.socket.timeout(3000).emit(message.event, ...args, (err: Error | null, reply: unknown) => resolve(err ? 'timeout' : reply));
        });
        // A frame over the limit closes the connection: its request (and any sent meanwhile) go unanswered.
        const code = answer === 'timeout' && !probe.socket.connected ? 'connection closed' : answerCode(answer);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code === 'timeout' && unanswered.length < 8) unanswered.push(`${JSON.stringify(message.event).slice(0, 40)} ${JSON.stringify(args).slice(0, 120)}`);
        if (isMutationEvent(message.event) && !['bad_request', 'timeout', 'connection closed'].includes(code) && accepted.length < 5) {
          accepted.push(`${message.event} ${JSON.stringify(args).slice(0, 300)} → ${code}`);
        }
      }
      probe.close();
    }),
  );
  return { sent, codes, disconnects, accepted, unanswered };
}

export interface CrossUserOutcome {
  attempts: number;
  codes: Map<string, number>;
  /** Answers that carried anything of the victim's. */
  leaks: number;
}

/** Attempts to reach another user's state: naming them in requests, their token in a refresh, a forged sub. */
export async function crossUser(options: { url: string; rng: Rng; attempts: number; victimId: string; victimSecret: string }): Promise<CrossUserOutcome> {
  const codes = new Map<string, number>();
  let attempts = 0;
  let leaks = 0;
  const count = (code: string) => codes.set(code, (codes.get(code) ?? 0) + 1);
  const victimToken = await mintToken({ userId: options.victimId });
  const lanes = 8;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const rng = options.rng.fork();
      const probe = await mustConnect({ url: options.url, userId: `intruder-${lane}`, deviceId: 'intruder' });
      for (let i = 0; i < Math.ceil(options.attempts / lanes); i++) {
        attempts += 1;
        const roll = rng.next();
        const named = { userId: options.victimId, sub: options.victimId, user: options.victimId };
        const key = rng.pick(Object.keys(named) as Array<keyof typeof named>);
        let out: { answer: unknown };
        if (roll < 0.3) out = await probe.request('cart:add', { seq: 1, sku: 'x', title: 'x', priceCents: 1, qty: 1, [key]: options.victimId }, 3000);
        else if (roll < 0.45) out = await probe.request('watch:report', { seq: 1, videoId: 'v', positionSec: 1, durationSec: 2, at: 1, kind: 'seek', [key]: options.victimId }, 3000);
        else if (roll < 0.6) out = await probe.request('devices:list', { [key]: options.victimId }, 3000);
        else if (roll < 0.8) out = await probe.request('auth:refresh', { token: victimToken }, 3000);
        else out = await probe.request('sync:since', { since: null, [key]: options.victimId }, 3000);
        const code = answerCode(out.answer);
        count(code);
        if (JSON.stringify(out.answer).includes(options.victimSecret)) leaks += 1;
      }
      probe.close();
    }),
  );
  // Connection-level attempts: the victim's sub with a forged signature, and the victim named in the handshake.
  for (let i = 0; i < 20; i++) {
    attempts += 2;
    const forged = await mintToken({ userId: options.victimId, deviceId: 'victim-phone', secret: `${TEST_JWT_SECRET}!` });
    const a = await connectProbe({ url: options.url, userId: options.victimId, deviceId: 'victim-phone', token: forged });
    if (a.ok) a.probe.close();
    count(a.ok ? 'connected' : ((a.error.data as { code?: string } | undefined)?.code ?? 'no code'));
    const own = await mintToken({ userId: 'intruder-x', deviceId: 'intruder' });
    const b = await connectProbe({ url: options.url, userId: 'intruder-x', deviceId: 'intruder', auth: { token: own, deviceId: 'intruder', protocol: 1, userId: options.victimId } });
    if (b.ok) b.probe.close();
    count(b.ok ? 'connected' : ((b.error.data as { code?: string } | undefined)?.code ?? 'no code'));
  }
  return { attempts, codes, leaks };
}

/** The same traffic shape with valid read-only requests: what the well-behaved clients are compared against. */
export async function legitimateLoad(options: { url: string; messages: number; connections: number }): Promise<number> {
  let sent = 0;
  const per = Math.ceil(options.messages / options.connections);
  await Promise.all(
    Array.from({ length: options.connections }, async (_, lane) => {
      const probe = await mustConnect({ url: options.url, userId: `legit-${lane}`, deviceId: 'reader' });
      for (let i = 0; i < per; i++) {
        sent += 1;
        await probe.request(i % 2 === 0 ? 'devices:list' : 'sync:since', i % 2 === 0 ? {} : { since: null }, 3000);
      }
      probe.close();
    }),
  );
  return sent;
}
