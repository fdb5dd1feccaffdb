/**
 * Preloaded (`--import`) into every node process the benchmark starts, ours and the baselines alike, so
 * all of them are measured the same way without touching their code:
 * - `mem`: process.memoryUsage() after forced garbage collections (needs --expose-gc);
 * - `redis-count`: bytes and pub/sub deliveries this process read from the Redis port (fan-out cost);
 * - `exit`: a clean exit, so `--cpu-prof` gets to write its profile;
 * and the process exits when the benchmark that started it goes away (even after a SIGKILL of it).
 */
import { Socket } from 'node:net';
import { serveIpc } from './ipc.ts';

const redisPort = Number(process.env.BENCH_REDIS_PORT ?? '0');
let redisBytes = 0;
let redisMessages = 0;
// The tail of a pub/sub push header: `$7\r\nmessage\r\n`, `$8\r\npmessage\r\n`, `$8\r\nsmessage\r\n`.
const MARKER = Buffer.from('essage\r\n');

function countPushes(chunk: Buffer): number {
  let found = 0;
  for (let at = chunk.indexOf(MARKER); at !== -1; at = chunk.indexOf(MARKER, at + MARKER.length)) {
    const before = chunk[at - 1];
    if (before === 0x6d /* m */ || before === 0x70 /* p */ || before === 0x73 /* s */) {
      if (chunk[at - 2] === 0x0a /* \n */ || chunk[at - 3] === 0x0a) found++;
    }
  }
  return found;
}

if (redisPort > 0) {
  const emit = Socket.prototype.emit as (this: Socket, event: string | symbol, ...args: unknown[]) => boolean;
  Socket.prototype.emit = function patchedEmit(this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'data' && this.remotePort === redisPort) {
      const chunk = args[0];
      if (Buffer.isBuffer(chunk)) {
        redisBytes += chunk.length;
        redisMessages += countPushes(chunk);
      }
    }
    return emit.call(this, event, ...args);
  } as typeof Socket.prototype.emit;
}

function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) gc();
}

if (process.send) {
  serveIpc({
    mem: (options: { gc?: boolean } | null) => {
      if (options?.gc) forceGc();
      return process.memoryUsage();
    },
    'redis-count': (options: { reset?: boolean } | null) => {
      const result = { bytes: redisBytes, messages: redisMessages };
      if (options?.reset) {
        redisBytes = 0;
        redisMessages = 0;
      }
      return result;
    },
    exit: () => {
      setImmediate(() => process.exit(0));
      return true;
    },
  });
  process.on('disconnect', () => process.exit(0));
  process.channel?.unref();
}
