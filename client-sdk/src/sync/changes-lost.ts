import type { ChangesLostEvent } from '../types.js';
import type { StateReset } from './sync-engine.js';

/** What `onChangesLost` tells the app about a reset, from this device's point of view. */
export function changesLostEvent(reset: StateReset, deviceId: string | null): ChangesLostEvent {
  const { reason, epoch, fromVersion, toVersion, changes } = reset;
  return { reason, epoch, fromVersion, toVersion, changes, own: changes.filter((c) => c.deviceId === deviceId).length };
}
