/**
 * The fixture most cross-node suites share: one real Redis and two real gateway processes on it, started before
 * the file's tests and stopped after them, with a helper that connects a device and closes it at the end.
 *
 *   const nodes = useRedisNodes({ prefix: 'shop', env: { API_KEYS } });
 *   const phone = await nodes.device(nodes.one, 'alice', 'phone');
 */
import { afterAll, beforeAll } from 'vitest';
import type { DeviceKind } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, ok, type ClientSocket } from './helpers.ts';

export interface RedisNodesOptions {
  /** Node ids are `<prefix>-1` and `<prefix>-2`. */
  prefix: string;
  /** Variables for both nodes, e.g. generous rate limits or API_KEYS. */
  env?: Record<string, string>;
}

export interface DeviceOptions {
  kind?: DeviceKind;
  name?: string;
  /** Ask `sync:since` from scratch once connected, as the SDK does. @default true */
  sync?: boolean;
}

export interface RedisNodes {
  readonly redis: RedisServer;
  readonly one: GatewayProcess;
  readonly two: GatewayProcess;
  /** Connects a device of `userId` to `node` with a fresh token; it is closed after the file's tests. */
  device(node: GatewayProcess, userId: string, deviceId: string, options?: DeviceOptions): Promise<ClientSocket>;
}

export function useRedisNodes(options: RedisNodesOptions): RedisNodes {
  let redis: RedisServer | undefined;
  let nodes: GatewayProcess[] = [];
  const sockets: ClientSocket[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRedisNodes: used before its beforeAll ran');
    return value;
  };

  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    nodes = await Promise.all([1, 2].map((n) => startGateway({ redisUrl: url, nodeId: `${options.prefix}-${n}`, ...(options.env ? { env: options.env } : {}) })));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(nodes.map((node) => node.kill()));
    await redis?.stop();
  });

  return {
    get redis() {
      return started(redis);
    },
    get one() {
      return started(nodes[0]);
    },
    get two() {
      return started(nodes[1]);
    },
    async device(node, userId, deviceId, deviceOptions = {}) {
      const socket = await connect(node.url, {
        token: await mintToken({ userId, deviceId }),
        deviceId,
        ...(deviceOptions.kind ? { deviceKind: deviceOptions.kind } : {}),
        ...(deviceOptions.name ? { deviceName: deviceOptions.name } : {}),
      });
      sockets.push(socket);
      if (deviceOptions.sync ?? true) await ok(socket, 'sync:since', { since: null });
      return socket;
    },
  };
}
