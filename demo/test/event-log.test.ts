import { describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { LOG_LIMIT, addChange, addEvent } from '../src/event-log.ts';

const change = (version: number): Change => ({
  epoch: 'e1',
  version,
  deviceId: 'phone-1',
  seq: version,
  at: 1_700_000_000_000 + version,
  op: { type: 'cart:line', sku: 'mg-300', line: { sku: 'mg-300', title: 'Ceramic mug', priceCents: 1800, qty: version } },
});

describe('event log', () => {
  it('logs a change once even when both frames report it', () => {
    let log = addChange([], change(1), { device: 'Phone', node: 'node-1' });
    log = addChange(log, change(1), { device: 'Phone', node: 'node-1' });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ kind: 'change', version: 1, device: 'Phone', node: 'node-1', text: 'Cart: Ceramic mug × 1' });
  });

  it('keeps the newest first and at most LOG_LIMIT entries', () => {
    let log = addEvent([], 'cluster', 'killed node-1', { node: 'node-1', at: 5 });
    for (let v = 1; v <= LOG_LIMIT + 5; v += 1) log = addChange(log, change(v), { device: 'Phone', node: undefined });
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0]?.version).toBe(LOG_LIMIT + 5);
    expect(log.some((e) => e.kind === 'cluster')).toBe(false);
    expect(log[0]).not.toHaveProperty('node');
  });

  it('gives other events distinct ids', () => {
    const log = addEvent(addEvent([], 'connection', 'Phone connected', { at: 1 }), 'connection', 'Phone connected', { at: 1 });
    expect(new Set(log.map((e) => e.id)).size).toBe(2);
  });
});
