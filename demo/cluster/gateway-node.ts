import { startChild, probe, waitUntil, type Child } from './child.ts';
import type { NodeState } from '../src/cluster-types.ts';

export type { NodeState };

export interface GatewayNodeOptions {
  id: string;
  port: number;
  /** Repository root: the node runs the compiled server, `dist/server.js`, from there. */
  cwd: string;
  /** Full environment of the process (PORT and NODE_ID are set on top). */
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** How long a start may take before it counts as failed. @default 60000 */
  startTimeoutMs?: number;
  /** How long a graceful restart waits for the drain before SIGKILL. @default 20000 */
  drainTimeoutMs?: number;
  onState?: (id: string, state: NodeState) => void;
}

/** One gateway process of the demo cluster, which the control endpoint can kill and restart. */
export interface GatewayNode {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  /** The node's admin listener (backend API, /metrics): ADMIN_PORT = port + 10000. */
  readonly adminUrl: string;
  readonly state: NodeState;
  readonly pid: number | undefined;
  readonly startedAt: number | null;
  readonly restarts: number;
  /** Spawns the process and resolves when /readyz answers 200. */
  start(): Promise<void>;
  /** kill -9: the process gets no chance to say goodbye to its clients. */
  kill(): Promise<void>;
  /** Drains a running node (SIGTERM), then starts it again; starts a killed one. */
  restart(): Promise<void>;
  /** Stops it for good (SIGTERM, short grace, SIGKILL). */
  stop(graceMs?: number): Promise<void>;
}

export function createGatewayNode(options: GatewayNodeOptions): GatewayNode {
  const url = `http://127.0.0.1:${options.port}`;
  const adminPort = options.port + 10_000;
  let child: Child | null = null;
  let state: NodeState = 'stopped';
  let startedAt: number | null = null;
  let starts = 0;
  let intended: 'killed' | 'stopped' | 'draining' | null = null;

  const setState = (next: NodeState) => {
    if (state === next) return;
    state = next;
    options.onState?.(options.id, next);
  };

  const start = async () => {
    if (child?.isRunning()) return;
    intended = null;
    starts += 1;
    setState('starting');
    const proc = startChild(process.execPath, ['--enable-source-maps', 'dist/server.js'], {
      cwd: options.cwd,
      env: { ...options.env, PORT: String(options.port), ADMIN_PORT: String(adminPort), NODE_ID: options.id },
      logFile: options.logFile,
    });
    child = proc;
    void proc.exited.then(() => {
      if (child !== proc) return;
      startedAt = null;
      setState(intended ?? 'exited');
    });
    const died = proc.exited.then((exit) => new Error(`${options.id} exited during start (${exit.signal ?? `code ${exit.code}`}); see ${options.logFile}`));
    await waitUntil(`${options.id} /readyz`, async () => (await probe(`${url}/readyz`, 1000))?.status === 200, {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      intervalMs: 100,
      abort: died,
    });
    startedAt = Date.now();
    setState('running');
  };

  const node: GatewayNode = {
    id: options.id,
    port: options.port,
    url,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    get state() {
      return state;
    },
    get pid() {
      return child?.isRunning() ? child.pid : undefined;
    },
    get startedAt() {
      return startedAt;
    },
    get restarts() {
      return Math.max(0, starts - 1);
    },
    start,
    async kill() {
      const proc = child;
      if (!proc?.isRunning()) return;
      intended = 'killed';
      proc.signal('SIGKILL');
      await proc.exited;
    },
    async restart() {
      const proc = child;
      if (proc?.isRunning()) {
        intended = 'draining';
        setState('draining');
        await proc.stop(options.drainTimeoutMs ?? 20_000);
      }
      await start();
    },
    async stop(graceMs = 3000) {
      const proc = child;
      intended = 'stopped';
      if (proc?.isRunning()) await proc.stop(graceMs);
      setState('stopped');
    },
  };
  return node;
}
