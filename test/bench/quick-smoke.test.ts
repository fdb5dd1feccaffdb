import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/report/types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('bench quick mode', () => {
  const out = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('produces a latency row for the floor baseline', async () => {
    const { code, output } = await runBench(['--quick', '--only', 'floor', '--steps', 'latency', '--out', out]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^floor\s+\d/m);
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchResults;
    const row = results.rows.find((r) => r.id === 'floor');
    expect(row?.errors).toEqual([]);
    expect(row?.latency['1000']?.latency.count).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'))).toHaveLength(1);
  }, 90_000);
});
