import { startGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import type { NodeState } from '../src/cluster-types.ts';

export type { NodeState };

export interface GatewayNodeOptions {
  id: string;
  port: number;
  /** Variables of the process on top of a clean environment (PORT, ADMIN_PORT and NODE_ID are set on top). */
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
  let gateway: GatewayProcess | null = null;
  let generation = 0;
  let state: NodeState = 'stopped';
  let startedAt: number | null = null;
  let starts = 0;
  let intended: 'killed' | 'stopped' | 'draining' | null = null;

  const setState = (next: NodeState) => {
    if (state === next) return;
    state = next;
    options.onState?.(options.id, next);
  };
  const env: Record<string, string> = { NODE_ENV: 'development' };
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, { ADMIN_PORT: String(adminPort) });

  const watchExit = (gw: GatewayProcess) => {
    const mine = ++generation;
    void gw.exited().then(() => {
      if (mine !== generation) return;
      startedAt = null;
      setState(intended ?? 'exited');
    });
  };

  const start = async () => {
    if (gateway?.running) return;
    intended = null;
    starts += 1;
    setState('starting');
    try {
      if (gateway) await gateway.start();
      else gateway = await startGateway({ compiled: true, nodeId: options.id, port: options.port, jwtSecret: null, env, logFile: options.logFile, readyTimeoutMs: options.startTimeoutMs ?? 60_000 });
    } catch (error) {
      setState('exited');
      throw new Error(`${options.id} did not start; see ${options.logFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    watchExit(gateway);
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
      return gateway?.running ? gateway.pid : undefined;
    },
    get startedAt() {
      return startedAt;
    },
    get restarts() {
      return Math.max(0, starts - 1);
    },
    start,
    async kill() {
      if (!gateway?.running) return;
      intended = 'killed';
      await gateway.kill('SIGKILL');
    },
    async restart() {
      if (gateway?.running) {
        intended = 'draining';
        setState('draining');
        await gateway.stop(options.drainTimeoutMs ?? 20_000);
      }
      await start();
    },
    async stop(graceMs = 3000) {
      intended = 'stopped';
      if (gateway?.running) await gateway.stop(graceMs);
      setState('stopped');
    },
  };
  return node;
}
