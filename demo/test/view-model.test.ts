import { describe, expect, it } from 'vitest';
import type { Device, WatchEntry } from '../../client-sdk/src/protocol/index.ts';
import { cartSummary, continueWatchingCards, describeOp, deviceLabeler, deviceRows, statusView } from '../src/view-model.ts';

const entry = (videoId: string, positionSec: number, durationSec: number, deviceId: string): WatchEntry => ({
  videoId,
  positionSec,
  durationSec,
  updatedAt: 1,
  deviceId,
  completed: false,
});

describe('view model', () => {
  it('summarises a cart with line totals, units and the total', () => {
    const summary = cartSummary(
      [
        { sku: 'hp-100', title: 'Studio headphones', priceCents: 12_900, qty: 2 },
        { sku: 'zz-1', title: 'Unknown thing', priceCents: 100, qty: 1 },
      ],
      25_900,
    );
    expect(summary.empty).toBe(false);
    expect(summary.units).toBe(3);
    expect(summary.unitsLabel).toBe('3 items');
    expect(summary.totalLabel).toBe('$259.00');
    expect(summary.lines[0]).toMatchObject({ qty: 2, unitLabel: '$129.00', lineTotalLabel: '$258.00', hue: 222 });
    expect(summary.lines[1]?.hue).toBe(210);
    expect(cartSummary([], 0)).toMatchObject({ empty: true, unitsLabel: '0 items', totalLabel: '$0.00' });
  });

  it('builds continue-watching cards in the given order, naming the device that watched', () => {
    const label = deviceLabeler(new Map([['laptop-1', 'Laptop']]), []);
    const cards = continueWatchingCards([entry('talk-sync', 1230, 2460, 'laptop-1'), entry('x-1', 10, 100, 'tv-9')], label, 1);
    expect(cards).toEqual([
      { videoId: 'talk-sync', title: 'Sync at scale', percent: 50, positionLabel: '20:30', remaining: '21 min left', from: 'Laptop', hue: 280 },
    ]);
  });

  it('names devices by frame first, then by the device list', () => {
    const devices: Device[] = [{ deviceId: 'tv-9', name: 'Living room TV', kind: 'tv', connectedAt: 0, lastSeen: 0, online: true, nodeId: 'node-3' }];
    const label = deviceLabeler(new Map([['phone-1', 'Phone']]), devices);
    expect(label('phone-1')).toBe('Phone');
    expect(label('tv-9')).toBe('Living room TV');
    expect(label('ghost')).toBe('ghost');
  });

  it('tells a manual offline apart from a lost connection', () => {
    expect(statusView({ status: 'connected', nodeId: 'node-2', pending: 0, manualOffline: false })).toEqual({
      label: 'Live',
      tone: 'ok',
      detail: 'via node-2',
      pendingLabel: 'nothing pending',
    });
    expect(statusView({ status: 'offline', nodeId: null, pending: 3, manualOffline: true })).toMatchObject({ label: 'Offline', tone: 'off', pendingLabel: '3 changes pending' });
    expect(statusView({ status: 'offline', nodeId: null, pending: 1, manualOffline: false })).toMatchObject({ label: 'Reconnecting', tone: 'busy', pendingLabel: '1 change pending' });
    expect(statusView({ status: 'unauthorized', nodeId: null, pending: 0, manualOffline: false }).tone).toBe('bad');
  });

  it('describes every kind of change', () => {
    expect(describeOp({ type: 'cart:line', sku: 'kb-200', line: { sku: 'kb-200', title: 'Mechanical keyboard', priceCents: 8950, qty: 3 } })).toBe('Cart: Mechanical keyboard × 3');
    expect(describeOp({ type: 'cart:line', sku: 'kb-200', line: null })).toBe('Cart: removed Mechanical keyboard');
    expect(describeOp({ type: 'cart:clear' })).toBe('Cart: cleared');
    expect(describeOp({ type: 'watch', entry: { ...entry('cook-ramen', 540, 1080, 'p'), completed: false }, trimmed: [] })).toBe('Watch: Weeknight ramen at 9:00 (50%)');
    expect(describeOp({ type: 'watch', entry: { ...entry('cook-ramen', 1080, 1080, 'p'), completed: true }, trimmed: [] })).toBe('Watch: Weeknight ramen at 18:00 (100%) · finished');
    expect(describeOp({ type: 'noop' })).toMatch(/No change/);
  });
});

describe('device rows', () => {
  const device = (deviceId: string, online: boolean, lastSeen: number, nodeId = ''): Device => ({
    deviceId,
    name: deviceId,
    kind: 'other',
    connectedAt: 0,
    lastSeen,
    online,
    nodeId,
  });

  it('shows nobody online while this device is not connected, itself included', () => {
    const label = deviceLabeler(new Map([['p', 'Phone'], ['l', 'Laptop']]), []);
    // The server's last word: both online. The laptop has since lost its connection.
    const rows = deviceRows([device('p', true, 5_000, 'node-2'), device('l', true, 6_000, 'node-1')], label, 10_000, { self: 'l', connected: false });
    expect(rows.map((r) => [r.label, r.online, r.detail])).toEqual([
      ['Laptop', false, 'offline · changes wait in the outbox'],
      ['Phone', false, 'unknown while this device is offline'],
    ]);
    const live = deviceRows([device('p', true, 5_000, 'node-2'), device('l', true, 6_000, 'node-1')], label, 10_000, { self: 'l', connected: true });
    expect(live.map((r) => r.online)).toEqual([true, true]);
  });

  it('lists online devices first with their node, then offline ones by last seen', () => {
    const label = deviceLabeler(new Map([['p', 'Phone']]), []);
    const rows = deviceRows([device('old', false, 1_000), device('p', true, 5_000, 'node-2'), device('tv', false, 50_000)], label, 230_000);
    expect(rows.map((r) => [r.label, r.detail])).toEqual([
      ['Phone', 'online via node-2'],
      ['tv', 'offline · seen 3 min ago'],
      ['old', 'offline · seen 4 min ago'],
    ]);
  });
});
