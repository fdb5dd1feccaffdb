import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where programs live that a non-root PATH often leaves out (haproxy and nginx install to sbin). */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/opt/homebrew/bin', '/opt/homebrew/sbin'];

/** The absolute path of an executable on PATH (or in `extraDirs`, by default the usual sbin folders), or null. */
export function which(bin: string, path = process.env['PATH'] ?? '', extraDirs: readonly string[] = EXTRA_DIRS): string | null {
  const dirs = [...path.split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** GET a URL on loopback with a short timeout; null when nothing answered. */
export async function probe(url: string, timeoutMs = 1000): Promise<{ status: number; body: string } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}
