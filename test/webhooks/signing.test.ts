import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  MAX_SECRET_BYTES,
  MIN_SECRET_BYTES,
  WebhookSecretError,
  generateSecret,
  parseSecret,
  secretProblem,
  signDelivery,
} from '../../server/webhooks/signing.ts';

// Every check here is made by the specification's reference implementation, never by a verifier of ours.
const headersOf = (h: ReturnType<typeof signDelivery>): Record<string, string> => ({ ...h });

describe('webhook signing', () => {
  it('signs a delivery that the standardwebhooks verifier accepts', () => {
    const secret = generateSecret();
    const body = JSON.stringify({ type: 'cart.updated', data: { userId: 'u1', version: 7 } });
    const headers = signDelivery({ id: 'evt_1', body, secrets: [secret] });
    expect(new Webhook(secret.text).verify(body, headersOf(headers))).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Number(headers['webhook-timestamp'])).toBeGreaterThan(1_700_000_000);
  });

  it('gives the same signature as the reference implementation for a known key, id and time', () => {
    const secret = generateSecret(() => Buffer.alloc(32, 7));
    const body = '{"a":"é ☃ \u{1F600}"}';
    const when = 1_767_225_600;
    const ours = signDelivery({ id: 'msg_abc', body, secrets: [secret], timestampSec: when });
    expect(ours['webhook-signature']).toBe(new Webhook(secret.text).sign('msg_abc', new Date(when * 1000), body));
  });

  it('signs bytes exactly as sent (a Buffer body, non-ASCII text)', () => {
    const secret = generateSecret();
    const body = Buffer.from(JSON.stringify({ title: 'Крем для рук 🧴' }), 'utf8');
    const headers = signDelivery({ id: 'evt_bytes', body, secrets: [secret] });
    expect(new Webhook(secret.text).verify(body, headersOf(headers))).toEqual({ title: 'Крем для рук 🧴' });
  });

  it('is refused by the verifier when the body, the id or the timestamp was changed', () => {
    const secret = generateSecret();
    const body = '{"n":1}';
    const headers = signDelivery({ id: 'evt_2', body, secrets: [secret] });
    const wh = new Webhook(secret.text);
    expect(() => wh.verify('{"n":2}', headersOf(headers))).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headersOf(headers), 'webhook-id': 'evt_3' })).toThrow(WebhookVerificationError);
    const shifted = String(Number(headers['webhook-timestamp']) - 1);
    expect(() => wh.verify(body, { ...headersOf(headers), 'webhook-timestamp': shifted })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(generateSecret().text).verify(body, headersOf(headers))).toThrow(WebhookVerificationError);
  });

  it('during a rotation carries one signature per secret, and a receiver holding either verifies', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const body = '{"type":"device.connected"}';
    const headers = signDelivery({ id: 'evt_rot', body, secrets: [newSecret, oldSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret.text).verify(body, headersOf(headers))).toEqual({ type: 'device.connected' });
    expect(new Webhook(newSecret.text).verify(body, headersOf(headers))).toEqual({ type: 'device.connected' });
    expect(() => new Webhook(generateSecret().text).verify(body, headersOf(headers))).toThrow(WebhookVerificationError);
  });

  it('signs with an old timestamp when told, which the verifier refuses as too old', () => {
    const secret = generateSecret();
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const headers = signDelivery({ id: 'evt_old', body: '{}', secrets: [secret], timestampSec: stale });
    expect(() => new Webhook(secret.text).verify('{}', headersOf(headers))).toThrow(/too old/);
  });

  it('refuses to sign without a secret or with an id that would break the header', () => {
    const secret = generateSecret();
    expect(() => signDelivery({ id: 'e', body: '{}', secrets: [] })).toThrow(/at least one secret/);
    expect(() => signDelivery({ id: 'a b', body: '{}', secrets: [secret] })).toThrow(/webhook-id/);
    expect(() => signDelivery({ id: '', body: '{}', secrets: [secret] })).toThrow(/webhook-id/);
    expect(() => signDelivery({ id: 'x'.repeat(129), body: '{}', secrets: [secret] })).toThrow(/webhook-id/);
  });
});

describe('webhook secrets', () => {
  it('generates whsec_ secrets of 32 random bytes that the reference implementation loads', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a.text).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(a.key).toHaveLength(32);
    expect(a.text).not.toBe(b.text);
    expect(() => new Webhook(a.text)).not.toThrow();
  });

  it('parses a secret back to the same key', () => {
    const a = generateSecret();
    expect(parseSecret(a.text).key.equals(a.key)).toBe(true);
  });

  it('refuses malformed secrets with a code and without echoing them', () => {
    const cases: Array<[string, string]> = [
      ['abc', 'missing_prefix'],
      ['whsec_', 'not_base64'],
      ['whsec_not base64!', 'not_base64'],
      ['whsec_' + randomBytes(MIN_SECRET_BYTES - 1).toString('base64'), 'too_short'],
      ['whsec_' + randomBytes(MAX_SECRET_BYTES + 1).toString('base64'), 'too_long'],
    ];
    for (const [text, code] of cases) {
      expect(secretProblem(text)).toBe(code);
      try {
        parseSecret(text);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(WebhookSecretError);
        expect((err as WebhookSecretError).message).not.toContain(text.slice(6) || '\u0000');
      }
    }
    expect(secretProblem(generateSecret().text)).toBeNull();
  });
});
