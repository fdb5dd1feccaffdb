import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../server/engine/engine.ts';
import { withDeadline } from '../../server/engine/redis/deadline.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { SyncError } from '../../server/errors.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, ROOMY, uniqueUser } from './contract/harness.ts';

const TIMEOUT_MS = 1000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records how a promise settled, so a test can look at it while the fake clock stands still. */
function track(promise: Promise<unknown>): { state: string } {
  const box = { state: 'pending' };
  promise.then(
    () => (box.state = 'ok'),
    (err: unknown) => (box.state = err instanceof SyncError ? err.code : String(err)),
  );
  return box;
}

describe('a Redis call is bounded by the command timeout from the moment it is made', () => {
  let server: RedisServer;
  let engine: Engine | undefined;

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    vi.useRealTimers();
    server.signal('SIGCONT');
    await engine?.close();
    engine = undefined;
  });

  it('a write queued behind an unanswered pipeline of a frozen Redis answers unavailable after one timeout, not two', async () => {
    const redis = createRedisClient({ url: server.url, role: 'commands', commandTimeoutMs: TIMEOUT_MS });
    await waitForReady(redis);
    engine = createRedisEngine({ ...ROOMY, redis, commandTimeoutMs: TIMEOUT_MS });
    const phone = await connect(engine, uniqueUser(), 'phone');
    server.signal('SIGSTOP');
    // Only the timers move by hand; I/O, setImmediate and nextTick stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = track(engine.ping());
    await nextTurn(); // the auto-pipeline holding the ping is written and waits for Redis
    const write = track(phone.add('b'));
    await nextTurn(); // the write waits for the next pipeline, unsent
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await nextTurn();
    expect(first.state).toBe('unavailable');
    expect(write.state).toBe('unavailable');
  });

  it('withDeadline passes a result through and rejects once the time is up', async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const never = track(withDeadline(new Promise(() => undefined), 50));
    await vi.advanceTimersByTimeAsync(49);
    expect(never.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(never.state).toMatch(/timed out/);
  });
});
