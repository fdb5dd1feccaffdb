import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { forbiddenAddressReason } from './address-ranges.ts';

/**
 * Keeps webhook deliveries away from the operator's own network (SSRF): only https unless allowed, and no
 * private, loopback or otherwise non-public address unless allowed. A host name is resolved and every address
 * it has is checked; the connection then goes to an address that was checked, through `safeLookup` handed
 * to the HTTP request, so a DNS answer that changes between the check and the connect (rebinding) cannot
 * slip a private address in.
 */

export type UrlSafetyCode =
  /** Not an absolute URL, or longer than MAX_WEBHOOK_URL_LENGTH. */
  | 'invalid_url'
  /** Not https (or http where WEBHOOKS_ALLOW_HTTP=true). */
  | 'scheme_not_allowed'
  /** user:password@ in the URL: receivers authenticate the signature, and the URL is shown in listings. */
  | 'credentials_not_allowed'
  /** The host is, or resolves to, an address that is not public (unless WEBHOOKS_ALLOW_PRIVATE=true). */
  | 'address_not_allowed'
  /** The host name did not resolve (NXDOMAIN, DNS down): retried like any failed attempt. */
  | 'dns_failed';

export class UrlSafetyError extends Error {
  constructor(
    readonly code: UrlSafetyCode,
    message: string,
  ) {
    super(message);
    this.name = 'UrlSafetyError';
  }
}

export interface UrlSafetyOptions {
  /** Accept http:// as well as https://. @default false */
  allowHttp: boolean;
  /** Accept loopback, private, link-local and other non-public addresses. @default false */
  allowPrivate: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Resolves a host name to all of its addresses (dns.lookup with all: true by default; injectable for tests). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** The host of a URL as node connects to it: IPv6 literals without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks what can be checked without DNS (syntax, scheme, credentials, an IP literal's range) and returns
 * the parsed URL. For endpoint registration and for each attempt; throws UrlSafetyError.
 */
export function checkWebhookUrl(text: string, options: UrlSafetyOptions): URL {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) throw new UrlSafetyError('invalid_url', `a webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlSafetyError('invalid_url', 'expected an absolute URL such as https://example.com/webhooks');
  }
  const allowed = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    throw new UrlSafetyError(
      'scheme_not_allowed',
      options.allowHttp ? 'a webhook URL is http:// or https://' : 'a webhook URL must be https:// (set WEBHOOKS_ALLOW_HTTP=true to allow http://, for tests)',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlSafetyError('credentials_not_allowed', 'a webhook URL carries no user:password@ (receivers check the signature instead)');
  }
  if (url.hostname === '') throw new UrlSafetyError('invalid_url', 'a webhook URL needs a host');
  const host = hostOf(url);
  // The WHATWG parser already turned 0x7f.1, 2130706433 and the like into dotted IPv4.
  if (isIP(host) !== 0) checkAddress(host, host, options);
  return url;
}

function checkAddress(address: string, host: string, options: UrlSafetyOptions): void {
  if (options.allowPrivate) return;
  const reason = forbiddenAddressReason(address);
  if (reason !== null) {
    const via = address === host ? '' : ` (${host} resolves to ${address})`;
    throw new UrlSafetyError(
      'address_not_allowed',
      `webhook address ${address} is ${reason}${via}; set WEBHOOKS_ALLOW_PRIVATE=true to allow non-public addresses`,
    );
  }
}

/**
 * Every address of `hostname`, each checked; refuses all of them when any one is forbidden (a name that
 * resolves to a public and a private address is not trusted for either).
 */
export async function resolveCheckedAddresses(hostname: string, options: UrlSafetyOptions, resolver: Resolver = systemResolver): Promise<LookupAddress[]> {
  if (isIP(hostname) !== 0) {
    checkAddress(hostname, hostname, options);
    return [{ address: hostname, family: isIP(hostname) }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolver(hostname);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UrlSafetyError('dns_failed', `could not resolve ${hostname} (${code})`);
  }
  if (addresses.length === 0) throw new UrlSafetyError('dns_failed', `${hostname} has no address`);
  for (const a of addresses) checkAddress(a.address, hostname, options);
  return addresses;
}

/**
 * A `lookup` for http.request / https.request / an Agent: resolves, checks every address, and hands node
 * only checked addresses to connect to. Node skips `lookup` for IP literals, which checkWebhookUrl covers.
 */
export function safeLookup(options: UrlSafetyOptions, resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveCheckedAddresses(hostname, options, resolver).then(
      (addresses) => {
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (lookupOptions.all) {
          callback(null, wanted);
        } else {
          const first = wanted[0] as LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
