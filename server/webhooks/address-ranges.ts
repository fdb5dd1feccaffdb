import { isIP } from 'node:net';

/**
 * Which IP addresses a webhook must never reach in production: everything that is not ordinary public
 * unicast (loopback, private, link-local, unique-local, CGNAT, documentation, multicast, reserved), and
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) judged by the address they embed.
 * Pure; the addresses come from node (dns.lookup or the WHATWG URL parser), so only canonical text is expected.
 */

type V4Range = readonly [base: string, prefix: number, name: string];

const V4_RANGES: readonly V4Range[] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4ToInt(address: string): number {
  const parts = address.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function inV4(value: number, base: string, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((v4ToInt(base) & mask) >>> 0);
}

function v4Problem(value: number): string | null {
  for (const [base, prefix, name] of V4_RANGES) if (inV4(value, base, prefix)) return name;
  return null;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v = v4ToInt(dotted[1]);
    text = text.slice(0, -dotted[1].length) + `${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16));
}

function v6Problem(address: string): string | null {
  const g = v6Groups(address);
  const at = (i: number) => g[i] ?? 0;
  const embedded = (hi: number, lo: number) => ((at(hi) << 16) | at(lo)) >>> 0;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && at(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge it as that host.
  if (zeroUpTo(5) && at(5) === 0xffff) return v4Problem(embedded(6, 7)) ?? null;
  if (zeroUpTo(6)) return 'IPv4-compatible (deprecated)';
  if (at(0) === 0x64 && at(1) === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Problem(embedded(6, 7));
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return 'local-use NAT64';
  if (at(0) === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return 'discard-only';
  if (at(0) === 0x2001 && at(1) === 0x0db8) return 'documentation';
  if (at(0) === 0x2001 && at(1) < 0x0200) return 'IETF protocol assignments (Teredo, ORCHID, ...)';
  if (at(0) === 0x2002) return v4Problem(embedded(1, 2));
  if ((at(0) & 0xfe00) === 0xfc00) return 'unique-local';
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((at(0) & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((at(0) & 0xff00) === 0xff00) return 'multicast';
  if ((at(0) & 0xe000) !== 0x2000) return 'not global unicast';
  return null;
}

/**
 * Why `address` (an IPv4 or IPv6 literal, without brackets) is not a public unicast address, or null
 * when it is. Text that is no IP address at all is refused too.
 */
export function forbiddenAddressReason(address: string): string | null {
  const kind = isIP(address);
  if (kind === 4) return v4Problem(v4ToInt(address));
  if (kind === 6) return v6Problem(address);
  return 'not an IP address';
}
