import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../server/config.ts';
import { startRedis, type RedisServer } from '../../test/support/redis-server.ts';
import { freePort } from '../../test/support/free-port.ts';
import type { SystemDef } from '../systems.ts';
import type { FdLimits } from './fd-limit.ts';
import { spawnNode, type NodeProcess } from './node-process.ts';
import type { Cleanup } from '../../test/support/cleanup.ts';

/** One system as the benchmark runs it: a private redis-server and `nodes` node processes on loopback. */
export interface Deployment {
  readonly system: SystemDef;
  readonly redis: RedisServer;
  readonly nodes: NodeProcess[];
  readonly urls: string[];
  stop(): Promise<void>;
}

export interface DeployOptions {
  nodes: number;
  cleanup: Cleanup;
  logDir: string;
  fdLimits: FdLimits;
  fdNeeded: number;
  /** `appendfsync` of the private Redis (persistence on, as in production). */
  fsync: 'always' | 'everysec' | 'no';
  cpuProfDir?: string;
  tag: string;
  /** Variables set on every node on top of the system's own (a step's feature switch: webhooks on or off). */
  env?: Record<string, string>;
}

export async function deploy(system: SystemDef, options: DeployOptions): Promise<Deployment> {
  const redis = await startRedis({ appendOnly: true, args: ['--appendfsync', options.fsync] });
  const unregisterRedis = options.cleanup.add(`redis of ${options.tag}`, () => redis.stop());
  // The bench's own environment must not configure the nodes by accident.
  const base: Record<string, string> = {};
  for (const [name] of CONFIG_VARIABLES) base[name] = '';
  const nodes: NodeProcess[] = [];
  const urls: string[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: options.nodes }, async (_, i) => {
        const port = await freePort();
        const nodeId = `${options.tag}-n${i + 1}`;
        const node = await spawnNode({
          name: nodeId,
          script: system.script,
          env: { ...base, ...system.env({ port, redisUrl: redis.url, nodeId }), ...options.env },
          port,
          ...(system.readyPath ? { readyPath: system.readyPath } : {}),
          redisPort: redis.port,
          logDir: options.logDir,
          ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
          fdNeeded: options.fdNeeded,
          fdLimits: options.fdLimits,
          cleanup: options.cleanup,
        });
        return { node, url: system.url(port) };
      }),
    );
    for (const { node, url } of started) {
      nodes.push(node);
      urls.push(url);
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop(500)));
    await redis.stop();
    unregisterRedis();
    throw err;
  }
  return {
    system,
    redis,
    nodes,
    urls,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await redis.stop();
      unregisterRedis();
    },
  };
}

export function logDirFor(root: string, runId: string): string {
  return join(root, runId);
}
