import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { spawnProcess, startProcess } from './supervisor.ts';
import { poll } from './timing.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const ORPHAN_MAKER = fileURLToPath(new URL('./fixtures/orphan-maker.ts', import.meta.url));

describe('the process supervisor', () => {
  it('is ready on a matching output line and keeps the last lines', async () => {
    const proc = await startProcess({
      name: 'counter',
      command: 'bash',
      args: ['-c', 'for i in 1 2 3 4 5; do echo "line $i"; done; echo ready; exec sleep 600'],
      keepLines: 3,
      ready: { line: (line) => line === 'ready' },
    });
    expect(proc.lines()).toEqual(['line 4', 'line 5', 'ready']);
    expect((await proc.stop()).signal).toBe('SIGTERM');
  });

  it('fails to start with the exit and the last lines when the process exits before it is ready', async () => {
    await expect(
      startProcess({ name: 'quitter', command: 'bash', args: ['-c', 'echo cannot bind; exit 3'], ready: { probe: () => false } }),
    ).rejects.toThrow(/quitter exited \(3\)[\s\S]*cannot bind/);
  });

  it('sends SIGKILL when SIGTERM is ignored past the grace', async () => {
    const proc = await startProcess({
      name: 'stubborn',
      command: 'bash',
      args: ['-c', "trap '' TERM; echo armed; while true; do sleep 1; done"],
      ready: { line: (line) => line === 'armed' },
    });
    expect((await proc.stop(300)).signal).toBe('SIGKILL');
  });

  it('kills the whole tree: a grandchild dies with its parent', async () => {
    const proc = await startProcess({
      name: 'parent',
      command: 'bash',
      args: ['-c', 'sleep 600 & echo "child $!"; wait'],
      ready: { line: (line) => line.startsWith('child ') },
    });
    const grandchild = Number(proc.lines()[0]?.split(' ')[1]);
    expect(alive(grandchild)).toBe(true);
    await proc.kill('SIGKILL');
    await poll(() => !alive(grandchild), { what: 'grandchild gone', timeoutMs: 5_000 });
  });

  it('kills what a process started when that process is killed with SIGKILL (no exit handler runs)', async () => {
    const maker = spawnProcess({ name: 'orphan-maker', command: process.execPath, args: ['--import', 'tsx', ORPHAN_MAKER] });
    const line = await maker.waitForLine((l) => l.startsWith('sleeper '), { timeoutMs: 20_000 });
    const sleeper = Number(line.split(' ')[1]);
    expect(alive(sleeper)).toBe(true);
    // Only the maker itself: its own group kill would take the sleeper down by another road.
    process.kill(maker.pid, 'SIGKILL');
    await maker.exited;
    await poll(() => !alive(sleeper), { what: 'the orphaned sleeper killed by the watchdog', timeoutMs: 5_000 });
  });
});
