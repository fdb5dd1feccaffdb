import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo, ensureBuilt } from '../build.ts';
import { chooseBalancer, startBalancer, type Balancer, type BalancerKind } from './balancer.ts';
import { startControlServer, type ControlServer } from './control-server.ts';
import { createGatewayNode, type GatewayNode } from './gateway-node.ts';
import { assertPortFree } from './ports.ts';
import { findRedisBinary, startDemoRedis, type DemoRedis } from './redis.ts';

export interface DemoClusterOptions {
  /** Port of the balancer, the one URL people open. @default 4000 */
  port?: number;
  /** Ports of the gateway nodes. @default port+1, port+2, port+3 (as in docker-compose.yml) */
  nodePorts?: number[];
  /** Port of the demo-only control endpoint (reached through the balancer). @default port+10 */
  controlPort?: number;
  /** Port for the redis-server the demo starts. @default port+79 (6379 is left to a Redis you run yourself) */
  redisPort?: number;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  balancer?: BalancerKind;
  /** Bundle the page first. @default true */
  build?: boolean;
  /** Told about each step as it starts and ends. */
  onStep?: (message: string) => void;
  /** Told about kills and restarts done through the control endpoint. */
  onAction?: (message: string) => void;
}

export interface DemoCluster {
  readonly url: string;
  readonly balancer: Balancer;
  readonly nodes: readonly GatewayNode[];
  readonly redis: DemoRedis;
  /** Folder with every process's log and Redis' data (deleted by stop()). */
  readonly logDir: string;
  /** Live processes the demo started (Redis, nodes, balancer). */
  processIds(): number[];
  stop(): Promise<void>;
}

export const DEFAULT_PORT = 4000;
export const DEMO_USER = 'demo-user';

/** Starts Redis, the gateway nodes, the control endpoint and the balancer; stops what it started on failure. */
export async function startDemoCluster(options: DemoClusterOptions = {}): Promise<DemoCluster> {
  const port = options.port ?? DEFAULT_PORT;
  const nodePorts = options.nodePorts ?? [port + 1, port + 2, port + 3];
  const controlPort = options.controlPort ?? port + 10;
  const redisPort = options.redisPort ?? port + 79;
  const step = options.onStep ?? (() => {});
  const logDir = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  const stop = async () => {
    await stopAll();
    rmSync(logDir, { recursive: true, force: true });
  };

  try {
    // Missing programs are reported first: no port choice can fix them.
    const redisBinary = options.redisUrl ? undefined : findRedisBinary();
    const balancerChoice = chooseBalancer(options.balancer);

    const hint = options.port === undefined ? 'stop what uses it or pass --port' : 'pick another --port';
    for (const p of [port, ...nodePorts, controlPort, ...(options.redisUrl ? [] : [redisPort])]) await assertPortFree(p, hint);

    if (options.build ?? true) {
      step('building the page (esbuild)');
      const built = await buildDemo();
      step(`page built: ${Math.round(built.bytes / 1024)} KiB`);
    }
    // The nodes run the compiled server (dist/server.js); build it when it is missing or stale.
    await ensureBuilt();

    step(options.redisUrl ? 'checking REDIS_URL' : `starting redis-server on ${redisPort} (appendonly)`);
    const redis = await startDemoRedis({ url: options.redisUrl, port: redisPort, dir: logDir, ...(redisBinary ? { binary: redisBinary } : {}) });
    cleanups.push(() => redis.stop());

    const jwtSecret = randomBytes(32).toString('hex');
    const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`].join(',');
    const nodes = nodePorts.map((nodePort, i) => {
      const id = `node-${i + 1}`;
      return createGatewayNode({
        id,
        port: nodePort,
        logFile: join(logDir, `${id}.log`),
        onState: (nodeId, state) => {
          if (state === 'exited') options.onAction?.(`${nodeId} exited on its own; see ${join(logDir, `${nodeId}.log`)}`);
        },
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          HOST: '127.0.0.1',
          JWT_SECRET: jwtSecret,
          DEV_TOKENS: 'true',
          SERVE_DEMO: 'true',
          CORS_ORIGINS: origins,
          LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
        },
      });
    });
    cleanups.push(async () => {
      await Promise.all(nodes.map((n) => n.stop(3000)));
    });
    step(`starting ${nodes.length} gateway nodes on ${nodePorts.join(', ')}`);
    await Promise.all(nodes.map((n) => n.start()));

    let balancerKind = 'starting';
    const control: ControlServer = await startControlServer({
      port: controlPort,
      nodes,
      balancer: () => balancerKind,
      redis: redis.external ? 'external' : 'local',
      onAction: options.onAction,
    });
    cleanups.push(() => control.close());

    step(`starting the round-robin balancer on ${port}`);
    const balancer = await startBalancer({
      port,
      backends: nodes.map((n) => ({ name: n.id, port: n.port })),
      controlPort,
      dir: logDir,
      choice: balancerChoice,
    });
    balancerKind = balancer.kind;
    cleanups.push(() => balancer.stop());
    step(`balancer: ${balancer.kind}`);

    const processIds = () =>
      [redis.pid, ...nodes.map((n) => n.pid), balancer.pid].filter((pid): pid is number => pid !== undefined);
    return { url: `${balancer.url}/`, balancer, nodes, redis, logDir, processIds, stop };
  } catch (error) {
    // The logs stay for a look at what went wrong.
    await stopAll();
    throw error;
  }
}
