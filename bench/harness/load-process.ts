import { fileURLToPath } from 'node:url';
import type { DeviceSpec } from '../load/drivers/driver.ts';
import type { FailoverRequest, FailoverResult } from '../load/failover.ts';
import type { ConnectRequest, PacedRequest } from '../load/main.ts';
import type { PacedResult } from '../load/paced.ts';
import type { FdLimits } from './fd-limit.ts';
import { spawnNode, type MemSample, type NodeProcess } from './node-process.ts';
import type { Cleanup } from '../../test/support/cleanup.ts';
import { timeout } from '../../test/support/timing.ts';

export interface ConnectOutcome {
  connected: number;
  failed: number;
  errors: string[];
  ms: number;
}

/** The load process, seen from the benchmark: typed requests over its IPC channel. */
export interface LoadProcess {
  readonly process: NodeProcess;
  connect(request: ConnectRequest, timeoutMs?: number): Promise<ConnectOutcome>;
  paced(request: PacedRequest): Promise<PacedResult>;
  close(group: string): Promise<{ closed: number; drops: number }>;
  failover(request: FailoverRequest): Promise<FailoverResult>;
  mem(): Promise<MemSample>;
}

export async function startLoadProcess(options: { name: string; cleanup: Cleanup; logDir: string; fdLimits: FdLimits; fdNeeded: number }): Promise<LoadProcess> {
  const node = await spawnNode({
    name: options.name,
    script: fileURLToPath(new URL('../load/main.ts', import.meta.url)),
    env: {},
    logDir: options.logDir,
    fdNeeded: options.fdNeeded,
    fdLimits: options.fdLimits,
    cleanup: options.cleanup,
    advancedIpc: true,
  });
  let onMessage = (_message: unknown) => {};
  const ready = new Promise<void>((resolve, reject) => {
    onMessage = (message) => {
      if (typeof message === 'object' && message !== null && 'ready' in message) resolve();
    };
    node.child.on('message', onMessage);
    void node.exited.then(() => reject(new Error(`the load process exited at start; see ${node.logFile}`)));
  });
  await timeout(ready, 30_000, `the load process start (see ${node.logFile})`).finally(() => node.child.off('message', onMessage));
  const { ipc } = node;
  return {
    process: node,
    connect: (request, timeoutMs = 180_000) => ipc.request('connect', request, timeoutMs),
    paced: (request) => ipc.request('paced', request, request.durationMs + request.drainMs + 30_000),
    close: (group) => ipc.request('close', { group }, 60_000),
    failover: (request) => ipc.request('failover', request, request.timeoutMs + 120_000),
    mem: () => node.mem(false),
  };
}

/** Device ids and user ids of one group, kept away from 20-character room names (see FACTS). */
export function benchId(...parts: Array<string | number>): string {
  const id = parts.join('-');
  return id.length === 18 ? `${id}x` : id;
}

export function deviceSpecs(count: number, make: (i: number) => DeviceSpec): DeviceSpec[] {
  return Array.from({ length: count }, (_, i) => make(i));
}
