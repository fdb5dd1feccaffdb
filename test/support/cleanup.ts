/**
 * A stack of stoppers for everything a run starts besides processes (servers, clients, proxies) and for
 * processes that must stop in order: on a normal end, an error, Ctrl-C or SIGTERM they run newest first,
 * each bounded in time. Processes started through the supervisor die with this process regardless.
 */
import { timeout } from './timing.ts';

export interface Cleanup {
  /** Registers a stopper; returns a function that unregisters it (when the thing was stopped on purpose). */
  add(name: string, stop: () => Promise<void> | void): () => void;
  /** Runs every stopper, newest first, each within `stopTimeoutMs`; a failing one is reported, not thrown. */
  runAll(): Promise<void>;
}

export function createCleanup(options: { log?: (line: string) => void; stopTimeoutMs?: number } = {}): Cleanup {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stoppers = new Map<number, { name: string; stop: () => Promise<void> | void }>();
  let nextId = 0;
  return {
    add(name, stop) {
      const id = nextId++;
      stoppers.set(id, { name, stop });
      return () => void stoppers.delete(id);
    },
    async runAll() {
      const all = [...stoppers.values()].reverse();
      stoppers.clear();
      for (const { name, stop } of all) {
        try {
          await timeout(Promise.resolve(stop()), options.stopTimeoutMs ?? 10_000, `cleanup of ${name}`);
        } catch (err) {
          log(`cleanup of ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    },
  };
}

/**
 * For command-line runners (fault suite, bench, demo): SIGINT or SIGTERM runs the cleanup, then exits
 * (130 / 143); a second signal exits at once (the supervisor's exit hook still kills every process group).
 */
export function runCleanupOnSignals(cleanup: Cleanup, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) process.exit(code);
    interrupted = true;
    log(`${signal}: stopping every child process`);
    void cleanup.runAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
