import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One memory-engine gateway process for tests that run in a jsdom environment. The shared
 * test/support/gateway-process.ts cannot load there: Vite rewrites its `new URL('../..', import.meta.url)`
 * into an http URL for web-environment modules. Tokens are signed with node:crypto (jose's browser build
 * trips over jsdom's Uint8Array realm).
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SECRET = 'client-sdk-jsdom-test-secret-0123456789abcdef';
const CONFIG = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_ALGORITHMS', 'DEV_TOKENS', 'CORS_ORIGINS'];

export interface EmbeddedGateway {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedGateway(options: { corsOrigin: string }): Promise<EmbeddedGateway> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG) delete env[name];
  Object.assign(env, {
    NODE_ENV: 'test',
    NODE_ID: 'node-1',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: SECRET,
    CORS_ORIGINS: options.corsOrigin,
    LOG_LEVEL: 'info',
    SERVE_DEMO: 'false',
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const lines: string[] = [];
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`gateway did not listen:\n${lines.slice(-20).join('\n')}`)), 30_000);
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        lines.push(line);
        const match = line.includes('"msg":"listening"') ? /"port":(\d+)/.exec(line) : null;
        if (match?.[1]) {
          clearTimeout(timer);
          done(Number(match[1]));
        }
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`gateway exited:\n${lines.slice(-20).join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An HS256 token the embedded gateway accepts. */
export function signToken(userId: string, ttlSec = 3600): string {
  const now = Date.now() / 1000;
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: userId, iat: now, exp: Math.floor(now + ttlSec) }))}`;
  return `${head}.${b64url(createHmac('sha256', SECRET).update(head).digest())}`;
}
