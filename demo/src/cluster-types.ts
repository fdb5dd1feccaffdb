/** What the demo-only control endpoint answers (shared by demo/cluster and the page). */

export type NodeState = 'starting' | 'running' | 'draining' | 'killed' | 'exited' | 'stopped';

export interface ClusterNodeInfo {
  id: string;
  port: number;
  state: NodeState;
  pid: number | null;
  /** /readyz answered 200 (null: not asked, the process is not running). */
  ready: boolean | null;
  /** Open client connections from the node's /metrics (null when unknown). */
  connections: number | null;
  startedAt: number | null;
  restarts: number;
}

export interface ClusterInfo {
  mode: 'cluster';
  balancer: string;
  redis: 'local' | 'external';
  nodes: ClusterNodeInfo[];
}

/** Paths of the control endpoint (behind the balancer, same origin as the page). */
export const CONTROL_API = {
  cluster: '/demo-api/cluster',
  kill: (nodeId: string) => `/demo-api/nodes/${encodeURIComponent(nodeId)}/kill`,
  restart: (nodeId: string) => `/demo-api/nodes/${encodeURIComponent(nodeId)}/restart`,
} as const;
