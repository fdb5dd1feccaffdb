import { request } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { forbiddenAddressReason } from '../../server/webhooks/address-ranges.ts';
import { UrlSafetyError, checkWebhookUrl, resolveCheckedAddresses, safeLookup, type Resolver } from '../../server/webhooks/url-safety.ts';
import { generateSecret } from '../../server/webhooks/signing.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const STRICT = { allowHttp: false, allowPrivate: false };
const LOOSE = { allowHttp: true, allowPrivate: true };

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof UrlSafetyError) return err.code;
    throw err;
  }
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof UrlSafetyError) return err.code;
    throw err;
  }
}

describe('address ranges', () => {
  it('refuses every kind of non-public IPv4 address', () => {
    const refused = ['0.0.0.0', '10.1.2.3', '100.64.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1', '172.31.255.255',
      '192.0.0.8', '192.0.2.1', '192.168.1.1', '198.18.0.1', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255'];
    for (const a of refused) expect(forbiddenAddressReason(a), a).not.toBeNull();
  });

  it('accepts public IPv4 addresses, including the neighbours of private ranges', () => {
    for (const a of ['1.1.1.1', '8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '192.169.0.1', '11.0.0.1', '93.184.215.14']) {
      expect(forbiddenAddressReason(a), a).toBeNull();
    }
  });

  it('refuses non-public IPv6 addresses and judges embedded IPv4 by the address they embed', () => {
    const refused = ['::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456:789a::1', 'fec0::1', 'ff02::1', '2001:db8::1', '2001::1', '100::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '64:ff9b::10.0.0.1', '64:ff9b:1::1',
      '2002:7f00:1::1', '2002:c0a8:101::1', '::ffff:0.0.0.0'];
    for (const a of refused) expect(forbiddenAddressReason(a), a).not.toBeNull();
  });

  it('accepts public IPv6 addresses and IPv4-mapped public ones', () => {
    for (const a of ['2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
      expect(forbiddenAddressReason(a), a).toBeNull();
    }
  });

  it('refuses text that is no address', () => {
    expect(forbiddenAddressReason('example.com')).toBe('not an IP address');
  });
});

describe('webhook URL checks', () => {
  it('accepts https URLs with a public host', () => {
    expect(checkWebhookUrl('https://hooks.example.com/tandem?x=1', STRICT).hostname).toBe('hooks.example.com');
    expect(checkWebhookUrl('https://8.8.8.8:8443/h', STRICT).port).toBe('8443');
  });

  it('refuses http unless allowed, and other schemes always', () => {
    expect(codeOf(() => checkWebhookUrl('http://hooks.example.com/', STRICT))).toBe('scheme_not_allowed');
    expect(codeOf(() => checkWebhookUrl('http://hooks.example.com/', { allowHttp: true, allowPrivate: false }))).toBeNull();
    for (const u of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)']) {
      expect(codeOf(() => checkWebhookUrl(u, LOOSE)), u).toBe('scheme_not_allowed');
    }
  });

  it('refuses malformed, overlong and credential-carrying URLs', () => {
    expect(codeOf(() => checkWebhookUrl('not a url', LOOSE))).toBe('invalid_url');
    expect(codeOf(() => checkWebhookUrl('/relative', LOOSE))).toBe('invalid_url');
    expect(codeOf(() => checkWebhookUrl(`https://example.com/${'a'.repeat(2100)}`, LOOSE))).toBe('invalid_url');
    expect(codeOf(() => checkWebhookUrl('https://user:pw@example.com/', LOOSE))).toBe('credentials_not_allowed');
  });

  it('refuses private IP literals in every spelling the URL parser understands, unless allowed', () => {
    const spellings = ['https://127.0.0.1/', 'https://2130706433/', 'https://0x7f.0.0.1/', 'https://0177.0.0.1/', 'https://127.1/', 'https://[::1]/',
      'https://[::ffff:127.0.0.1]/', 'https://[::ffff:a9fe:a9fe]/', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]:8443/', 'https://0/'];
    for (const u of spellings) {
      expect(codeOf(() => checkWebhookUrl(u, STRICT)), u).toBe('address_not_allowed');
      expect(codeOf(() => checkWebhookUrl(u, LOOSE)), u).toBeNull();
    }
  });

  it('says what to set in the message', () => {
    expect(() => checkWebhookUrl('https://10.0.0.1/', STRICT)).toThrow(/WEBHOOKS_ALLOW_PRIVATE=true/);
    expect(() => checkWebhookUrl('http://example.com/', STRICT)).toThrow(/WEBHOOKS_ALLOW_HTTP=true/);
  });
});

describe('resolving a webhook host', () => {
  const fixed = (table: Record<string, LookupAddress[]>): Resolver => async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };

  it('refuses a name that resolves to loopback through the system resolver (localhost)', async () => {
    expect(await asyncCodeOf(resolveCheckedAddresses('localhost', STRICT))).toBe('address_not_allowed');
    const allowed = await resolveCheckedAddresses('localhost', LOOSE);
    expect(allowed.length).toBeGreaterThan(0);
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const resolver = fixed({ 'mixed.test': [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }] });
    expect(await asyncCodeOf(resolveCheckedAddresses('mixed.test', STRICT, resolver))).toBe('address_not_allowed');
  });

  it('fails as dns_failed for a name that does not resolve', async () => {
    expect(await asyncCodeOf(resolveCheckedAddresses('nothing.invalid', STRICT))).toBe('dns_failed');
    expect(await asyncCodeOf(resolveCheckedAddresses('empty.test', STRICT, async () => []))).toBe('dns_failed');
  });
});

describe('safeLookup on a real HTTP request', () => {
  let receiver: WebhookReceiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    receiver = null;
  });

  function post(url: string, lookup: ReturnType<typeof safeLookup>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', lookup }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
  }

  it('connects to the address it checked, whatever name the URL carries', async () => {
    receiver = await startWebhookReceiver({ secrets: [generateSecret().text] });
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const url = `http://receiver.test:${receiver.port}/hooks`;
    // Unsigned: the receiver answers 401, which proves the request reached it through the checked address.
    expect(await post(url, safeLookup(LOOSE, resolver))).toBe(401);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('never connects when the name rebinds to a private address after the first check', async () => {
    receiver = await startWebhookReceiver({ secrets: [generateSecret().text] });
    const url = `http://rebind.test:${receiver.port}/hooks`;
    let calls = 0;
    // First answer public (what an endpoint check at registration would see), then loopback.
    const rebinding: Resolver = async () => (calls++ === 0 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const options = { allowHttp: true, allowPrivate: false };
    await resolveCheckedAddresses('rebind.test', options, rebinding);
    const failure = await post(url, safeLookup(options, rebinding)).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(UrlSafetyError);
    expect((failure as UrlSafetyError).code).toBe('address_not_allowed');
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('refuses localhost through the system resolver on a real request', async () => {
    receiver = await startWebhookReceiver({ secrets: [generateSecret().text] });
    const failure = await post(`http://localhost:${receiver.port}/hooks`, safeLookup({ allowHttp: true, allowPrivate: false })).then(
      () => null,
      (err: unknown) => err,
    );
    expect((failure as UrlSafetyError).code).toBe('address_not_allowed');
    expect(receiver.deliveries).toHaveLength(0);
  });
});
