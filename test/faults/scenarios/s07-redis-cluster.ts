import type { Scenario } from '../harness/scenario.ts';
import { runNodeKill } from './s01-node-kill.ts';

/**
 * Issue 5, scenario 7: scenario 1 against a three-master Redis Cluster started here (redis-server
 * --cluster-enabled yes ×3, redis-cli --cluster create), with the gateway's cross-node checks (live pushes
 * both ways, device list, catch-up by version on another node after a kill -9) run on it too.
 */
export const redisCluster: Scenario = {
  id: 'redis-cluster',
  number: 7,
  title: 'Redis Cluster (three masters): node kill and cross-node sync',
  run: (ctx) => runNodeKill(ctx, { clients: Math.round(300 * ctx.scale), redisCluster: true }),
};
