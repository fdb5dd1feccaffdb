import { DeviceId } from '../protocol/index.js';
import type { KeyValueStore } from '../storage/types.js';
import { randomId } from '../util/random-id.js';
import type { LockManagerLike } from './platform.js';

/**
 * The device id kept in storage, read or made under a Web Lock, so two tabs opened together do not each
 * make one (they would be two devices, each with its own connection).
 */
export function sharedDeviceId(locks: LockManagerLike, store: KeyValueStore, lockName: string, random: () => number): Promise<string> {
  return locks.request(lockName, async () => {
    const stored = await store.get('device-id');
    if (stored !== null && DeviceId.safeParse(stored).success) return stored;
    const made = randomId(16, random);
    await store.set('device-id', made);
    return made;
  });
}
