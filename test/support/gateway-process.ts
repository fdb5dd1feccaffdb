/**
 * Real gateway processes for tests: `node --import tsx server/main.ts` with a chosen environment.
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
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { CONFIG_VARIABLES } from '../../server/config.ts';
import { freePort } from './free-port.ts';

/** The HS256 secret every test node trusts by default. */
export const TEST_JWT_SECRET = 'tandem-test-secret-0123456789abcdef-not-for-production';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LOG_LINES = 2000;

// A test worker that dies must not leave nodes behind holding ports and Redis connections.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface GatewayProcessOptions {
  /** Redis for state and fan-out; without it the node runs the memory engine (a single node). */
  redisUrl?: string;
  /** @default `gw-<random>` */
  nodeId?: string;
  /** JWT_SECRET of the node; null leaves JWT config unset (embedded mode: ephemeral secret, dev tokens). @default TEST_JWT_SECRET */
  jwtSecret?: string | null;
  /** More variables (they win over everything above), e.g. `{ RATE_LIMIT_PER_SEC: '1000' }`. */
  env?: Record<string, string>;
  /** @default a free port, kept across restarts */
  port?: number;
  /** How long to wait for /readyz. @default 20_000 */
  readyTimeoutMs?: number;
  /** Print the node's log lines as they come (also on with TANDEM_GATEWAY_LOGS=1). @default false */
  echoLogs?: boolean;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
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
  /** SIGTERM (a drain), then SIGKILL if it is still there after `timeoutMs` (default 15 s). */
  stop(timeoutMs?: number): Promise<ProcessExit>;
}

function childEnv(options: GatewayProcessOptions, nodeId: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test runner's own configuration must not leak into the node.
  for (const [name] of CONFIG_VARIABLES) delete env[name];
  Object.assign(env, {
    NODE_ENV: 'test',
    NODE_ID: nodeId,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SERVE_DEMO: 'false',
    ADMIN_PORT: '0',
  });
  if (options.redisUrl) env['REDIS_URL'] = options.redisUrl;
  const secret = options.jwtSecret === undefined ? TEST_JWT_SECRET : options.jwtSecret;
  if (secret !== null) env['JWT_SECRET'] = secret;
  Object.assign(env, options.env ?? {});
  return env;
}

async function waitReady(url: string, nodeId: string, child: ChildProcess, timeoutMs: number, logs: () => string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`gateway exited before it was ready (${child.exitCode ?? child.signalCode}):\n${logs().slice(-20).join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      // The node id guards against another process that happens to hold the port.
      if (res.ok && ((await res.json()) as { node?: string }).node === nodeId) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway not ready after ${timeoutMs} ms:\n${logs().slice(-20).join('\n')}`);
}

/** Starts a gateway process and resolves once its /readyz answers 200. */
export async function startGateway(options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const nodeId = options.nodeId ?? `gw-${Math.random().toString(36).slice(2, 8)}`;
  const echo = options.echoLogs ?? process.env['TANDEM_GATEWAY_LOGS'] === '1';
  const lines: string[] = [];
  let port = options.port ?? 0;
  let adminPort = 0;
  let child!: ChildProcess;
  let exit!: Promise<ProcessExit>;

  const collect = (line: string) => {
    if (line.includes('"admin listening"')) {
      const m = /"adminPort":(\d+)/.exec(line);
      if (m?.[1]) adminPort = Number(m[1]);
    }
    lines.push(line);
    if (lines.length > MAX_LOG_LINES) lines.shift();
    if (echo) process.stdout.write(`[${nodeId}] ${line}\n`);
  };

  const launch = async () => {
    if (port === 0) port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env: childEnv(options, nodeId, port),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    running.add(proc);
    exit = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        resolve({ code, signal });
      }),
    );
    if (proc.stdout) createInterface({ input: proc.stdout }).on('line', collect);
    if (proc.stderr) createInterface({ input: proc.stderr }).on('line', collect);
    await waitReady(`http://127.0.0.1:${port}`, nodeId, proc, options.readyTimeoutMs ?? 20_000, () => lines);
  };

  const alive = () => child.exitCode === null && child.signalCode === null;
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
      return child.pid;
    },
    logs: () => [...lines],
    signal(signal) {
      if (alive()) child.kill(signal);
    },
    async kill(signal = 'SIGKILL') {
      if (alive()) {
        if (signal !== 'SIGKILL') child.kill('SIGCONT');
        child.kill(signal);
      }
      return exit;
    },
    exited: () => exit,
    async restart() {
      if (alive()) await gateway.kill('SIGKILL');
      await launch();
    },
    async stop(timeoutMs = 15_000) {
      if (!alive()) return exit;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([exit, late]);
      clearTimeout(timer);
      if (alive()) child.kill('SIGKILL');
      return exit;
    },
  };
  try {
    await launch();
  } catch (err) {
    if (alive()) child.kill('SIGKILL');
    throw err;
  }
  return gateway;
}

export interface MintTokenOptions {
  userId: string;
  /** Binds the token to one device (the `did` claim). */
  deviceId?: string;
  /** @default 3600 */
  ttlSec?: number;
  /** @default TEST_JWT_SECRET */
  secret?: string;
  issuer?: string;
  audience?: string;
  /** `nbf` in seconds since the epoch. */
  notBefore?: number;
  /** `iat` in seconds (fractions allowed). @default now, with milliseconds */
  issuedAt?: number;
  /** `exp` in seconds; overrides ttlSec (a past value makes an expired token). */
  expiresAt?: number;
}

/** Signs an HS256 token the test nodes accept (with the default secret). */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const now = Date.now() / 1000;
  const builder = new SignJWT(options.deviceId ? { did: options.deviceId } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(options.expiresAt ?? Math.floor(now + (options.ttlSec ?? 3600)));
  if (options.issuer !== undefined) builder.setIssuer(options.issuer);
  if (options.audience !== undefined) builder.setAudience(options.audience);
  if (options.notBefore !== undefined) builder.setNotBefore(options.notBefore);
  return builder.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
