import { describe, expect, it } from 'vitest';
import { connectionCount, parseMetrics } from '../src/metrics-text.ts';

const SAMPLE = `# HELP tandem_connections Open socket connections on this node
# TYPE tandem_connections gauge
tandem_connections{node="node-2"} 3
# HELP tandem_requests_total Requests by event and outcome
# TYPE tandem_requests_total counter
tandem_requests_total{event="cart:add",outcome="ok",node="node-2"} 12
nodejs_eventloop_lag_seconds{node="node-2"} 0.0042
weird_label{path="a\\"b"} 1
`;

describe('metrics text', () => {
  it('parses names, labels (with escapes) and values, skipping comments', () => {
    const samples = parseMetrics(SAMPLE);
    expect(samples).toHaveLength(4);
    expect(samples[1]).toEqual({ name: 'tandem_requests_total', labels: { event: 'cart:add', outcome: 'ok', node: 'node-2' }, value: 12 });
    expect(samples[3]?.labels['path']).toBe('a"b');
  });

  it('reads the connection gauge of a node', () => {
    expect(connectionCount(SAMPLE)).toBe(3);
  });

  it('falls back to another *_connections gauge and answers null when there is none', () => {
    expect(connectionCount('app_open_connections 7\napp_connections_total 99\n')).toBe(7);
    expect(connectionCount('nodejs_heap_bytes 1\n')).toBeNull();
    expect(connectionCount('')).toBeNull();
  });
});
