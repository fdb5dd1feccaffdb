/**
 * Everything a scenario starts (processes, servers, clients) registers how to stop it here, so a failing or
 * interrupted run still leaves no child process behind.
 */
export interface Cleanup {
  /** Registers a stopper; returns a function that unregisters it (when the thing was stopped on purpose). */
  add(name: string, stop: () => Promise<void> | void): () => void;
  /** Registers a pid to SIGCONT + SIGKILL on exit, even when the async stoppers had no time to run. */
  addPid(pid: number | undefined): void;
  /** Runs every stopper, newest first. */
  runAll(): Promise<void>;
  /** Synchronous last resort for `process.on('exit')`: kills every registered pid. */
  killPidsNow(): void;
}

export function createCleanup(): Cleanup {
  const stoppers = new Map<number, { name: string; stop: () => Promise<void> | void }>();
  const pids = new Set<number>();
  let nextId = 0;
  return {
    add(name, stop) {
      const id = nextId++;
      stoppers.set(id, { name, stop });
      return () => void stoppers.delete(id);
    },
    addPid(pid) {
      if (pid !== undefined) pids.add(pid);
    },
    async runAll() {
      const all = [...stoppers.entries()].reverse();
      stoppers.clear();
      for (const [, { name, stop }] of all) {
        try {
          await withTimeout(Promise.resolve(stop()), 10_000, name);
        } catch (err) {
          process.stderr.write(`cleanup of ${name} failed: ${String(err)}\n`);
        }
      }
      this.killPidsNow();
    },
    killPidsNow() {
      for (const pid of pids) {
        for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
          try {
            process.kill(pid, signal);
          } catch {
            // already gone
          }
        }
      }
      pids.clear();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
