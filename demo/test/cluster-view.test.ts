import { describe, expect, it } from 'vitest';
import type { ClusterInfo } from '../src/cluster-types.ts';
import { mergeObservation, observe, panelFromControl, panelFromObservations, STALE_MS } from '../src/cluster-view.ts';

const metrics = (node: string, n: number) => `# TYPE tandem_connections gauge\ntandem_connections{node="${node}"} ${n}\n`;

describe('cluster panel model', () => {
  it('shows the control endpoint view with kill buttons and where each frame is', () => {
    const info: ClusterInfo = {
      mode: 'cluster',
      balancer: 'haproxy',
      redis: 'local',
      nodes: [
        { id: 'node-1', port: 4001, state: 'running', pid: 1, ready: true, connections: 2, startedAt: 1, restarts: 0 },
        { id: 'node-2', port: 4002, state: 'killed', pid: null, ready: null, connections: null, startedAt: null, restarts: 0 },
      ],
    };
    const panel = panelFromControl(info, [
      { label: 'Phone', nodeId: 'node-1' },
      { label: 'Laptop', nodeId: 'node-1' },
    ]);
    expect(panel.mode).toBe('control');
    expect(panel.summary).toBe('haproxy · 1/2 nodes up · Redis');
    expect(panel.nodes[0]).toMatchObject({ id: 'node-1', address: ':4001', controllable: true, devices: ['Phone', 'Laptop'], connections: 2 });
    expect(panel.nodes[1]).toMatchObject({ state: 'killed', healthy: null, devices: [] });
  });

  it('reads a node from /readyz and counts its connections only when /metrics came from the same node', () => {
    expect(observe({ status: 'ready', node: 'n1', engine: 'memory' }, 200, metrics('n1', 2), 5)).toEqual({
      node: 'n1',
      ready: true,
      connections: 2,
      engine: 'memory',
      at: 5,
    });
    expect(observe({ node: 'n1' }, 503, metrics('n2', 7), 5)).toMatchObject({ node: 'n1', ready: false, connections: null });
    expect(observe('garbage', 200, null, 5)).toBeNull();
  });

  it('shows the single embedded node without kill buttons', () => {
    const seen = mergeObservation(new Map(), { node: 'laptop-123', ready: true, connections: 2, engine: 'memory', at: 100 });
    const panel = panelFromObservations(seen, [
      { label: 'Phone', nodeId: 'laptop-123' },
      { label: 'Laptop', nodeId: 'laptop-123' },
    ], 200);
    expect(panel).toEqual({
      mode: 'observed',
      summary: 'single node · memory engine',
      nodes: [{ id: 'laptop-123', address: '', state: 'running', healthy: true, connections: 2, controllable: false, devices: ['Phone', 'Laptop'] }],
    });
  });

  it('keeps the last known connection count and forgets health that is stale', () => {
    let seen = mergeObservation(new Map(), { node: 'a', ready: true, connections: 3, engine: 'redis', at: 0 });
    seen = mergeObservation(seen, { node: 'a', ready: true, connections: null, engine: 'redis', at: 1 });
    const panel = panelFromObservations(seen, [{ label: 'Phone', nodeId: 'b' }], 1 + STALE_MS);
    expect(panel.summary).toBe('2 nodes · Redis');
    expect(panel.nodes.map((n) => [n.id, n.healthy, n.connections])).toEqual([
      ['a', null, 3],
      ['b', null, null],
    ]);
  });
});
