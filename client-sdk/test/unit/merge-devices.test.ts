import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/protocol/index.ts';
import { mergeDevices } from '../../src/state/merge-devices.ts';

const device = (deviceId: string, connectedAt: number, lastSeen: number, online = true): Device => ({
  deviceId,
  name: deviceId,
  kind: 'other',
  connectedAt,
  lastSeen,
  online,
  nodeId: online ? 'n' : '',
});

describe('mergeDevices', () => {
  it('keeps a device that joined after a late list was read (lists from two nodes crossing)', () => {
    const fresh = [device('phone', 10, 10), device('laptop', 20, 20)];
    const stale = [device('phone', 10, 10)];
    expect(mergeDevices(fresh, stale).map((d) => d.deviceId)).toEqual(['phone', 'laptop']);
  });

  it('takes the newest record of each device, and the offline one on a tie (a sweep keeps lastSeen)', () => {
    const current = [device('phone', 10, 50, false), device('tv', 5, 40)];
    const incoming = [device('phone', 10, 30), device('tv', 5, 40, false)];
    expect(mergeDevices(current, incoming).map((d) => [d.deviceId, d.online])).toEqual([
      ['tv', false],
      ['phone', false],
    ]);
  });

  it('drops a device the newer list no longer has (evicted)', () => {
    const current = [device('old', 1, 5, false), device('phone', 10, 10)];
    const incoming = [device('phone', 10, 10), device('new', 30, 30)];
    expect(mergeDevices(current, incoming).map((d) => d.deviceId)).toEqual(['phone', 'new']);
  });

  it('lists devices by connectedAt, then id, like the server', () => {
    expect(mergeDevices([], [device('b', 2, 2), device('a', 2, 2), device('c', 1, 9)]).map((d) => d.deviceId)).toEqual(['c', 'a', 'b']);
  });
});
