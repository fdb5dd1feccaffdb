/**
 * Owns everything the benchmark starts. Every child registers how to stop it; on a normal end, an error,
 * Ctrl-C or SIGTERM all of them are stopped, newest first, and every registered pid gets a SIGKILL as
 * the last resort (also from the synchronous `exit` handler, when no async work can run any more).
 */
export interface Reaper {
  add(name: string, stop: () => Promise<void> | void): () => void;
  addPid(pid: number | undefined): void;
  forgetPid(pid: number | undefined): void;
  runAll(): Promise<void>;
}

export function createReaper(log: (line: string) => void): Reaper {
  const stoppers = new Map<number, { name: string; stop: () => Promise<void> | void }>();
  const pids = new Set<number>();
  let nextId = 0;

  const killPidsNow = () => {
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
  };

  const reaper: Reaper = {
    add(name, stop) {
      const id = nextId++;
      stoppers.set(id, { name, stop });
      return () => void stoppers.delete(id);
    },
    addPid(pid) {
      if (pid !== undefined) pids.add(pid);
    },
    forgetPid(pid) {
      if (pid !== undefined) pids.delete(pid);
    },
    async runAll() {
      const all = [...stoppers.values()].reverse();
      stoppers.clear();
      for (const { name, stop } of all) {
        try {
          await withTimeout(Promise.resolve(stop()), 5_000, name);
        } catch (err) {
          log(`cleanup of ${name} failed: ${String(err)}`);
        }
      }
      killPidsNow();
    },
  };

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      killPidsNow();
      process.exit(130);
    }
    interrupted = true;
    log(`${signal}: stopping every child process`);
    void reaper.runAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killPidsNow);
  return reaper;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
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
