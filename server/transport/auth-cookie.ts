/** The longest Cookie header looked at: a JWT cookie and some others fit, a header meant to cost CPU does not. */
const MAX_COOKIE_HEADER = 16 * 1024;

/**
 * The value of cookie `name` in an upgrade's Cookie header (RFC 6265 syntax, the first one wins), or null.
 * The token is verified exactly like one from the handshake payload; the Origin allowlist (admission.ts) is
 * what keeps a foreign page's upgrade, which the browser sends with this cookie, from getting this far.
 */
export function cookieToken(header: string | string[] | undefined, name: string): string | null {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (text === undefined || text.length > MAX_COOKIE_HEADER) return null;
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? null : value;
  }
  return null;
}
