import { describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { LOG_LIMIT, addEvent, recordChange } from '../src/event-log.ts';

const change = (version: number): Change => ({
  epoch: 'e1',
  version,
  deviceId: 'phone-1',
  seq: version,
  at: 1_700_000_000_000 + version,
  op: { type: 'cart:line', sku: 'mg-300', line: { sku: 'mg-300', title: 'Ceramic mug', priceCents: 1800, qty: version } },
});

describe('event log', () => {
  it('records a change once, with the node it was committed through and where it was delivered', () => {
    let log = recordChange([], change(1), { maker: 'Phone', receiver: 'Laptop', own: false, source: 'push', node: 'node-3' });
    log = recordChange(log, change(1), { maker: 'Phone', receiver: 'Phone', own: true, source: 'ack', node: 'node-1' });
    log = recordChange(log, change(1), { maker: 'Phone', receiver: 'Laptop', own: false, source: 'push', node: 'node-3' });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      kind: 'change',
      version: 1,
      device: 'Phone',
      node: 'node-1',
      deliveries: ['Laptop via node-3'],
      text: 'Cart: Ceramic mug × 1',
    });
  });

  it('marks a delivery made while catching up after a reconnect', () => {
    const log = recordChange([], change(2), { maker: 'Phone', receiver: 'Laptop', own: false, source: 'sync', node: 'node-2' });
    expect(log[0]?.deliveries).toEqual(['Laptop (caught up) via node-2']);
    expect(log[0]).not.toHaveProperty('node');
  });

  it('keeps the newest first and at most LOG_LIMIT entries', () => {
    let log = addEvent([], 'cluster', 'killed node-1', { node: 'node-1', at: 5 });
    for (let v = 1; v <= LOG_LIMIT + 5; v += 1) {
      log = recordChange(log, change(v), { maker: 'Phone', receiver: 'Phone', own: true, source: 'ack', node: 'node-1' });
    }
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0]?.version).toBe(LOG_LIMIT + 5);
    expect(log.some((e) => e.kind === 'cluster')).toBe(false);
  });

  it('gives other events distinct ids', () => {
    const log = addEvent(addEvent([], 'connection', 'Phone connected', { at: 1 }), 'connection', 'Phone connected', { at: 1 });
    expect(new Set(log.map((e) => e.id)).size).toBe(2);
    expect(log[0]).toMatchObject({ kind: 'connection', text: 'Phone connected', at: 1 });
  });
});

describe('event log with a playing video', () => {
  const watchChange = (version: number, videoId = 'cook-ramen'): Change => ({
    epoch: 'e1',
    version,
    deviceId: 'laptop-1',
    seq: version,
    at: 1_700_000_000_000 + version,
    op: { type: 'watch', entry: { videoId, positionSec: version * 10, durationSec: 1080, updatedAt: version, deviceId: 'laptop-1', completed: false }, trimmed: [] },
  });
  const own = { maker: 'Laptop', receiver: 'Laptop', own: true, source: 'ack', node: 'node-2' } as const;
  const other = { maker: 'Laptop', receiver: 'Phone', own: false, source: 'push', node: 'node-1' } as const;

  it('merges consecutive progress of one video into one moving line', () => {
    let log = recordChange([], watchChange(1), own);
    log = recordChange(log, watchChange(2), own);
    log = recordChange(log, watchChange(1), other);
    log = recordChange(log, watchChange(2), other);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ version: 2, node: 'node-2', text: 'Watch: Weeknight ramen at 0:20 (2%)', deliveries: ['Phone via node-1'] });
  });

  it('starts a new line for another video or after another change', () => {
    let log = recordChange([], watchChange(1), own);
    log = recordChange(log, watchChange(2, 'city-lights'), own);
    log = recordChange(log, change(3), { maker: 'Phone', receiver: 'Phone', own: true, source: 'ack', node: 'node-1' });
    log = recordChange(log, watchChange(4, 'city-lights'), own);
    expect(log.map((e) => e.version)).toEqual([4, 3, 2, 1]);
  });

  it('collapses a repeating event into one line with a count, also when two devices alternate', () => {
    let log = addEvent([], 'cluster', 'node-1 killed', { at: 1 });
    for (let i = 0; i < 15; i += 1) {
      log = addEvent(log, 'connection', 'Phone lost its connection, reconnecting', { device: 'Phone', at: 10 + i, repeatKey: 'Phone:retrying' });
      log = addEvent(log, 'connection', 'Laptop lost its connection, reconnecting', { device: 'Laptop', at: 10 + i, repeatKey: 'Laptop:retrying' });
    }
    expect(log.map((e) => [e.text, e.count])).toEqual([
      ['Laptop lost its connection, reconnecting', 15],
      ['Phone lost its connection, reconnecting', 15],
      ['node-1 killed', undefined],
    ]);
    expect(log[0]?.at).toBe(24);
    log = addEvent(log, 'connection', 'Phone connected', { device: 'Phone', at: 30 });
    log = addEvent(log, 'connection', 'Phone lost its connection, reconnecting', { device: 'Phone', at: 31, repeatKey: 'Phone:retrying' });
    expect(log).toHaveLength(4);
    expect(log[0]).toMatchObject({ text: 'Phone lost its connection, reconnecting', count: 16, at: 31 });
  });
});
