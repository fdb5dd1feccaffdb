import { z } from 'zod';

/** The cookie session variable, for CONFIG_VARIABLES and `--help`. */
export const AUTH_COOKIE_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['AUTH_COOKIE_NAME', "also accept the JWT from this cookie in the WebSocket upgrade (set HttpOnly, Secure, SameSite by the app's backend; default off)"],
];

type Problem = { variable: string; problem: string };

// RFC 6265 cookie-name: an HTTP token.
const CookieName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/, 'expected a cookie name (letters, digits, !#$%&\'*+-.^_`|~; at most 64)');

/**
 * The cookie sessions of browsers (null: off). With a cookie, a foreign page's upgrade would carry the user's
 * credentials: the Origin allowlist is what refuses it, so CORS_ORIGINS=* cannot go with it.
 */
export function parseAuthCookieConfig(env: Record<string, string | undefined>): { cookieName: string | null; problems: Problem[] } {
  const raw = env.AUTH_COOKIE_NAME;
  if (raw === undefined) return { cookieName: null, problems: [] };
  const parsed = CookieName.safeParse(raw.trim());
  if (!parsed.success) return { cookieName: null, problems: [{ variable: 'AUTH_COOKIE_NAME', problem: parsed.error.issues[0]?.message ?? 'invalid' }] };
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim());
  if (origins.includes('*')) {
    return { cookieName: null, problems: [{ variable: 'AUTH_COOKIE_NAME', problem: 'cannot go with CORS_ORIGINS=*: any site could open a socket with the user\'s cookie; list the origins' }] };
  }
  return { cookieName: parsed.data, problems: [] };
}
