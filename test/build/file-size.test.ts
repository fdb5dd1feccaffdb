/**
 * The house rule CONTRIBUTING.md states: small files with one job each, none over 300 lines. Checked here so
 * a file that grows past it is split when it happens, not found by a later review.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gateway-process.ts';

const MAX_LINES = 300;
const SOURCE = /\.(ts|tsx|mjs|lua)$/;

describe('source files', () => {
  it(`have at most ${MAX_LINES} lines each`, () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => SOURCE.test(file));
    expect(files.length).toBeGreaterThan(100);
    const tooLong = files
      .map((file) => {
        try {
          return { file, lines: readFileSync(join(REPO_ROOT, file), 'utf8').split('\n').length - 1 };
        } catch {
          return { file, lines: 0 }; // listed by git but deleted in the working tree
        }
      })
      .filter(({ lines }) => lines > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});
