/**
 * The one gateway launcher: real `node --import tsx server/main.ts` processes on `PORT=0`, for tests, the
 * fault suite, the SDK tests and the demo. The node picks its port and logs it (`listening`); the launcher
 * reads it from that line, so there is no free-port race.
 *
 *   const redis = await startRedis();
 *   const node = await startGateway({ redisUrl: redis.url, nodeId: 'n1' });
 *   const token = await mintToken({ userId: 'alice', deviceId: 'phone' });
 *   io(node.url, { auth: { token, deviceId: 'phone', protocol: PROTOCOL_VERSION }, forceNew: true, transports: ['websocket'] });
 *   await node.kill('SIGKILL'); await node.restart(); await node.stop();
 *
 * Without `redisUrl` the node runs the in-process memory engine. Every node gets JWT_SECRET = TEST_JWT_SECRET
 * unless `jwtSecret` says otherwise, so `mintToken` tokens work on all of them.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../../server/config.ts';
import { spawnProcess, startProcess, type ProcessExit, type Supervised } from './supervisor.ts';
import { timeout } from './timing.ts';
import { TEST_JWT_SECRET } from './tokens.ts';

export { mintToken, TEST_JWT_SECRET, type MintTokenOptions } from './tokens.ts';
export type { ProcessExit } from './supervisor.ts';

// Not `new URL('../..', import.meta.url)`: Vite rewrites that into an http URL in jsdom test files.
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = ['--import', 'tsx', 'server/main.ts'];
const COMPILED = ['--enable-source-maps', 'dist/server.js'];

export interface GatewayProcessOptions {
  /** Redis for state and fan-out; without it the node runs the memory engine (a single node). */
  redisUrl?: string;
  /** @default `gw-<random>` */
  nodeId?: string;
  /** JWT_SECRET of the node; null leaves JWT config unset (embedded mode: ephemeral secret, dev tokens). @default TEST_JWT_SECRET */
  jwtSecret?: string | null;
  /** More variables (they win over everything above), e.g. `{ RATE_LIMIT_PER_SEC: '1000' }` or `{ ADMIN_PORT: '0' }`. */
  env?: Record<string, string>;
  /** @default 0 (the node picks one; it is kept across restarts) */
  port?: number;
  /** How long to wait for /readyz. @default 20_000 */
  readyTimeoutMs?: number;
  /** Print the node's log lines as they come (also on with TANDEM_GATEWAY_LOGS=1). @default false */
  echoLogs?: boolean;
  /** Also append the node's log lines to this file. */
  logFile?: string;
  /** Run the compiled server (dist/server.js, `npm run build`) instead of the TypeScript source. @default false */
  compiled?: boolean;
  /** Working directory of the node, e.g. a folder laid out like the Docker image. @default the repository */
  cwd?: string;
}

/** One gateway process. */
export interface GatewayProcess {
  /** `http://127.0.0.1:<port>`, for socket.io clients and HTTP probes. */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<admin port>`: the backend API and /metrics (learnt from the `admin listening` line). */
  readonly adminUrl: string;
  readonly nodeId: string;
  readonly pid: number | undefined;
  /** True while the current process has not exited. */
  readonly running: boolean;
  /** The node's stdout and stderr lines so far (the last 2,000), JSON log records mostly. */
  logs(): string[];
  /** Sends a signal: SIGSTOP freezes the node, SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` (default SIGKILL) and waits for the process to exit. A frozen node is thawed first. */
  kill(signal?: 'SIGKILL' | 'SIGTERM' | 'SIGINT'): Promise<ProcessExit>;
  /** Resolves when the current process exits. */
  exited(): Promise<ProcessExit>;
  /** Kills the process if it runs, starts it again on the same port and waits until it is ready. */
  restart(): Promise<void>;
  /** Starts it again on the same port when it is not running (after kill or stop); a no-op while it runs. */
  start(): Promise<void>;
  /** SIGTERM (a drain), then SIGKILL if it is still there after `timeoutMs` (default 15 s). */
  stop(timeoutMs?: number): Promise<ProcessExit>;
}

/** This process's environment without any of the server's variables (the runner's config must not leak in), plus `extra`. */
export function cleanGatewayEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name] of CONFIG_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

function parseRecord(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const record: unknown = JSON.parse(line);
    return typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The port of a node's `listening` log line, or null for any other line. */
export function listeningPort(line: string): number | null {
  const record = parseRecord(line);
  return record?.['msg'] === 'listening' && typeof record['port'] === 'number' ? record['port'] : null;
}

/** The admin port of a node's `admin listening` log line, or null for any other line. */
export function adminListeningPort(line: string): number | null {
  const record = parseRecord(line);
  return record?.['msg'] === 'admin listening' && typeof record['adminPort'] === 'number' ? record['adminPort'] : null;
}

function gatewayEnv(options: GatewayProcessOptions, nodeId: string, port: number): NodeJS.ProcessEnv {
  const secret = options.jwtSecret === undefined ? TEST_JWT_SECRET : options.jwtSecret;
  return cleanGatewayEnv({
    NODE_ENV: 'test',
    NODE_ID: nodeId,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SERVE_DEMO: 'false',
    ADMIN_PORT: '0',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...(secret !== null ? { JWT_SECRET: secret } : {}),
    ...(options.env ?? {}),
  });
}

async function readyzAnswers(url: string, nodeId: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`);
  // The node id guards against another process that happens to hold the port.
  return res.ok && ((await res.json()) as { node?: string }).node === nodeId;
}

/** Starts a gateway process and resolves once its /readyz answers 200. */
export async function startGateway(options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const nodeId = options.nodeId ?? `gw-${Math.random().toString(36).slice(2, 8)}`;
  const echo = options.echoLogs ?? process.env['TANDEM_GATEWAY_LOGS'] === '1';
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  let port = options.port ?? 0;
  let adminPort = 0;
  let proc!: Supervised;

  const launch = async () => {
    proc = await startProcess({
      name: nodeId,
      command: process.execPath,
      args: options.compiled ? COMPILED : MAIN,
      cwd: options.cwd ?? REPO_ROOT,
      env: gatewayEnv(options, nodeId, port),
      echo,
      ...(options.logFile ? { logFile: options.logFile } : {}),
      ready: { line: (line) => listeningPort(line) !== null },
      readyTimeoutMs,
    });
    const line = proc.lines().find((each) => listeningPort(each) !== null) ?? '';
    port = listeningPort(line) ?? port;
    const url = `http://127.0.0.1:${port}`;
    try {
      // The admin listener starts right after the client port.
      adminPort = adminListeningPort(await proc.waitForLine((each) => adminListeningPort(each) !== null, { timeoutMs: readyTimeoutMs, what: 'admin listening' })) ?? 0;
      await proc.waitFor(() => readyzAnswers(url, nodeId), { timeoutMs: readyTimeoutMs, what: '/readyz answers 200' });
    } catch (err) {
      await proc.kill('SIGKILL');
      throw err;
    }
  };

  await launch();
  const gateway: GatewayProcess = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get adminUrl() {
      return `http://127.0.0.1:${adminPort}`;
    },
    nodeId,
    get pid() {
      return proc.pid;
    },
    get running() {
      return proc.running;
    },
    logs: () => proc.lines(),
    signal: (signal) => proc.signal(signal),
    kill: (signal = 'SIGKILL') => proc.kill(signal),
    exited: () => proc.exited,
    async restart() {
      await proc.kill('SIGKILL');
      await launch();
    },
    async start() {
      if (!proc.running) await launch();
    },
    stop: (timeoutMs = 15_000) => proc.stop(timeoutMs),
  };
  return gateway;
}

/** Runs `node --import tsx server/main.ts <args>` to its exit (a config error, `--help`) with a clean environment plus `env`. */
export async function runGatewayToExit(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const proc = spawnProcess({ name: 'gateway run', command: process.execPath, args: [...MAIN, ...args], cwd: REPO_ROOT, env: cleanGatewayEnv(env) });
  const exit = await timeout(proc.exited, timeoutMs, 'gateway run exits').catch(async (err: unknown) => {
    await proc.kill('SIGKILL');
    throw err;
  });
  return { code: exit.code, output: proc.lines().join('\n') };
}
