/**
 * The cluster panel's model. With the demo's control endpoint (`npm run demo`) it shows what the endpoint
 * reports; without it (`npm start`, docker-compose) it shows the nodes it has seen answer /readyz through the
 * page's origin (and their connection count when given the text of their /metrics, which lives on the admin port).
 */
import type { ClusterInfo, NodeState } from './cluster-types.ts';
import { connectionCount, parseMetrics } from './metrics-text.ts';

export interface PanelNode {
  id: string;
  /** `:4001` in the demo; empty when unknown. */
  address: string;
  state: NodeState;
  healthy: boolean | null;
  connections: number | null;
  /** Kill and restart buttons (only with the control endpoint). */
  controllable: boolean;
  /** Frames connected to this node ("Phone"). */
  devices: string[];
}

export interface PanelModel {
  mode: 'control' | 'observed';
  /** One line about the setup: "haproxy · 3 nodes · Redis". */
  summary: string;
  nodes: PanelNode[];
}

export interface Observation {
  node: string;
  ready: boolean;
  connections: number | null;
  engine: string | null;
  at: number;
}

/** What one /readyz + /metrics round trip says about the node that answered. */
export function observe(readyBody: unknown, readyStatus: number, metricsText: string | null, at: number): Observation | null {
  const body = (typeof readyBody === 'object' && readyBody !== null ? readyBody : {}) as { node?: unknown; engine?: unknown };
  const metricsNode = metricsText ? parseMetrics(metricsText).find((s) => s.name === 'tandem_connections')?.labels['node'] : undefined;
  const node = typeof body.node === 'string' ? body.node : metricsNode;
  if (!node) return null;
  // Behind a balancer /metrics may come from another node than /readyz: only count it when they match.
  const connections = metricsText && (metricsNode === undefined || metricsNode === node) ? connectionCount(metricsText) : null;
  return { node, ready: readyStatus === 200, connections, engine: typeof body.engine === 'string' ? body.engine : null, at };
}

/** Keeps the latest observation per node. */
export function mergeObservation(known: ReadonlyMap<string, Observation>, next: Observation): Map<string, Observation> {
  const merged = new Map(known);
  const previous = merged.get(next.node);
  merged.set(next.node, { ...next, connections: next.connections ?? previous?.connections ?? null });
  return merged;
}

const devicesOn = (frames: ReadonlyArray<{ label: string; nodeId: string | null }>, node: string) =>
  frames.filter((f) => f.nodeId === node).map((f) => f.label);

export function panelFromControl(info: ClusterInfo, frames: ReadonlyArray<{ label: string; nodeId: string | null }>): PanelModel {
  const alive = info.nodes.filter((n) => n.state === 'running').length;
  return {
    mode: 'control',
    summary: `${info.balancer} · ${alive}/${info.nodes.length} nodes up · Redis${info.redis === 'external' ? ' (REDIS_URL)' : ''}`,
    nodes: info.nodes.map((n) => ({
      id: n.id,
      address: `:${n.port}`,
      state: n.state,
      healthy: n.ready,
      connections: n.connections,
      controllable: true,
      devices: devicesOn(frames, n.id),
    })),
  };
}

/** Observed nodes older than this are shown as unknown health. */
export const STALE_MS = 10_000;

export function panelFromObservations(
  known: ReadonlyMap<string, Observation>,
  frames: ReadonlyArray<{ label: string; nodeId: string | null }>,
  now: number,
): PanelModel {
  const ids = new Set(known.keys());
  for (const f of frames) if (f.nodeId) ids.add(f.nodeId);
  const nodes = [...ids].sort().map((id): PanelNode => {
    const seen = known.get(id);
    const fresh = seen !== undefined && now - seen.at < STALE_MS;
    return {
      id,
      address: '',
      state: 'running',
      healthy: fresh ? seen.ready : null,
      connections: seen?.connections ?? null,
      controllable: false,
      devices: devicesOn(frames, id),
    };
  });
  const engines = new Set([...known.values()].map((o) => o.engine).filter((e): e is string => e !== null));
  const engine = engines.has('memory') ? 'memory engine' : engines.has('redis') ? 'Redis' : 'engine ?';
  return { mode: 'observed', summary: `${nodes.length === 1 ? 'single node' : `${nodes.length} nodes`} · ${engine}`, nodes };
}
