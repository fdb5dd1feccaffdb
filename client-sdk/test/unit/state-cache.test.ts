import { describe, expect, it } from 'vitest';
import { createStateCache } from '../../src/client/state-cache.ts';
import { emptyServerState, stateFromSnapshot } from '../../src/state/server-state.ts';
import { createKeyValueStore } from '../../src/storage/key-value-store.ts';
import { memoryStorage } from '../../src/storage/memory-storage.ts';
import { systemTimers } from '../../src/util/timers.ts';

const fail = (error: unknown) => {
  throw error;
};

describe('the state cache', () => {
  it('settles flush() and clear() when the only save had nothing to write (no epoch yet)', async () => {
    const storage = memoryStorage();
    const cache = createStateCache(createKeyValueStore(storage, 't:'), () => 'state', fail, systemTimers());
    cache.save(emptyServerState(), null);
    await cache.flush();
    await cache.clear();
    expect(storage.size).toBe(0);
  });

  it('writes a synced state that load() gives back, and coalesces a burst into the latest', async () => {
    const storage = memoryStorage();
    const cache = createStateCache(createKeyValueStore(storage, 't:'), () => 'state', fail, systemTimers());
    for (let version = 1; version <= 5; version++) cache.save(stateFromSnapshot('e1', version, { cart: [], watch: [] }), 'alice');
    await cache.flush();
    expect(await cache.load()).toMatchObject({ owner: 'alice', state: { epoch: 'e1', version: 5 } });
  });
});
