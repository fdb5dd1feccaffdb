import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../build.ts';
import { freePort } from '../../test/support/free-port.ts';
import { REDIS_INSTALL_HINT } from '../cluster/redis.ts';

function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const baseEnv = { HOME: process.env['HOME'] ?? '/tmp', PATH: process.env['PATH'] ?? '' };

describe('npm run demo (command line)', () => {
  it('prints its usage with --help and starts nothing', async () => {
    const result = await runDemo(['--help'], baseEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run demo/);
    expect(result.stdout).toContain('--balancer <kind>');
  });

  it('refuses an unknown flag with exit code 2', async () => {
    const result = await runDemo(['--nodes', '5'], baseEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage:');
  });

  it('says in one line how to install redis-server when it is missing, and exits 1', async () => {
    const port = await freePort();
    const result = await runDemo(['--port', String(port)], { HOME: baseEnv.HOME, PATH: '/nonexistent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${REDIS_INSTALL_HINT}\n`);
  });
});
