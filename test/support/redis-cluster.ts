import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'node:net';
import { ensureRedisBinary } from './redis-binary.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

const run = promisify(execFile);

/** A Redis Cluster of three masters (no replicas) on loopback, from the machine's binary. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `127.0.0.1:port` of every node, the seeds for ioredis' Cluster. */
  readonly seeds: readonly string[];
  /** Resolves when every node reports `cluster_state:ok`. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Sends one inline command on a fresh socket and resolves with the raw reply (enough for CLUSTER INFO). */
function ask(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      // A bulk reply is complete once its announced length has arrived.
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (!header || reply.length >= header[0].length + Number(header[1]) + 2) done();
    });
    socket.once('error', done);
  });
}

async function clusterOk(ports: readonly number[]): Promise<boolean> {
  const infos = await Promise.all(ports.map((port) => ask(port, 'CLUSTER INFO')));
  return infos.every((info) => info.includes('cluster_state:ok'));
}

export async function startRedisCluster(options: { appendOnly?: boolean } = {}): Promise<RedisCluster> {
  const redisCli = join(dirname(ensureRedisBinary()), 'redis-cli');
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      nodes.push(
        await startRedis({
          appendOnly: options.appendOnly ?? false,
          // nodes.conf lives in the node's own data folder, so a restart (without wipe) rejoins the cluster.
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const seeds = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run(redisCli, ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const cluster: RedisCluster = {
      nodes,
      seeds,
      async waitHealthy(timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        while (!(await clusterOk(nodes.map((node) => node.port)))) {
          if (Date.now() > deadline) throw new Error(`redis cluster not ok after ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      stop,
    };
    await cluster.waitHealthy();
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}
