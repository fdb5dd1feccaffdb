import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the SDK source runs in browsers and React Native', () => {
  // The build (tsconfig.build.json, "types": []) also fails on Node globals; this names the offender.
  it('uses no Node-only modules or globals', () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/from\s+['"]node:|require\(|\bBuffer\b|\bprocess\.|__dirname|\bsetImmediate\b/.test(code)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it('imports relative modules with .js extensions (tsc emits them as they are)', () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
        if (!match[1]?.endsWith('.js')) offenders.push(`${file}: ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
