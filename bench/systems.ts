import { fileURLToPath } from 'node:url';
import type { DriverKind } from './load/drivers/driver.ts';

/** The rows of the table: our product and the baselines it is measured against. */
export const ROW_IDS = ['floor', 'sio-classic', 'sio-sharded', 'hocuspocus', 'product', 'product-sdk'] as const;
export type RowId = (typeof ROW_IDS)[number];

/** The row every ratio column divides by: the socket.io relay on the adapter the product uses. */
export const REFERENCE_ROW: RowId = 'sio-sharded';

/** The HS256 secret the benchmark's product nodes trust; the load process signs its tokens with it. */
export const BENCH_JWT_SECRET = 'tandem-bench-secret-0123456789abcdef-loopback-only';

export interface NodeEnvInput {
  port: number;
  redisUrl: string;
  nodeId: string;
}

export interface SystemDef {
  id: RowId;
  label: string;
  driver: DriverKind;
  script: string;
  /** Path answering 200 once the node can serve (otherwise: the port accepts connections). */
  readyPath?: string;
  env(input: NodeEnvInput): Record<string, string>;
  url(port: number): string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const relay = (id: RowId, label: string, adapter: 'classic' | 'sharded'): SystemDef => ({
  id,
  label,
  driver: 'socketio',
  script: here('./baselines/socketio-relay/server.ts'),
  env: ({ port, redisUrl, nodeId }) => ({ PORT: String(port), REDIS_URL: redisUrl, NODE_ID: nodeId, ADAPTER: adapter }),
  url: (port) => `http://127.0.0.1:${port}`,
});

const product: SystemDef = {
  id: 'product',
  label: 'tandem gateway (product)',
  driver: 'product',
  script: here('../server/main.ts'),
  readyPath: '/readyz',
  env: ({ port, redisUrl, nodeId }) => ({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ID: nodeId,
    REDIS_URL: redisUrl,
    JWT_SECRET: BENCH_JWT_SECRET,
    LOG_LEVEL: 'warn',
    SERVE_DEMO: 'false',
    // The load offers up to tens of changes per second per user: lift the per-user limits out of the way
    // (the bucket is still checked inside every mutation script, so its cost stays measured).
    RATE_LIMIT_PER_SEC: '5000',
    RATE_LIMIT_BURST: '10000',
    MAX_DEVICES_PER_USER: '500',
  }),
  url: (port) => `http://127.0.0.1:${port}`,
};

export const SYSTEMS: Record<RowId, SystemDef> = {
  floor: {
    id: 'floor',
    label: 'floor (ws + ioredis)',
    driver: 'floor',
    script: here('./baselines/floor/server.ts'),
    env: ({ port, redisUrl, nodeId }) => ({ PORT: String(port), REDIS_URL: redisUrl, NODE_ID: nodeId }),
    url: (port) => `ws://127.0.0.1:${port}`,
  },
  'sio-classic': relay('sio-classic', 'socket.io relay, classic adapter', 'classic'),
  'sio-sharded': relay('sio-sharded', 'socket.io relay, sharded dynamic', 'sharded'),
  hocuspocus: {
    id: 'hocuspocus',
    label: 'peer: hocuspocus + redis ext.',
    driver: 'hocuspocus',
    script: here('./baselines/hocuspocus/server.ts'),
    env: ({ port, redisUrl, nodeId }) => ({ PORT: String(port), REDIS_URL: redisUrl, NODE_ID: nodeId }),
    url: (port) => `ws://127.0.0.1:${port}`,
  },
  product,
  // The same gateway, driven through the client SDK instead of the raw protocol: what the SDK adds.
  'product-sdk': { ...product, id: 'product-sdk', label: 'tandem gateway via the SDK', driver: 'product-sdk' },
};
