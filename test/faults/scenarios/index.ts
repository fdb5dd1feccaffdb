import type { Scenario } from '../harness/scenario.ts';
import { nodeKill } from './s01-node-kill.ts';
import { rollingRestart } from './s02-rolling-restart.ts';
import { redisRestart } from './s03-redis-restart.ts';
import { redisWipe } from './s04-redis-wipe.ts';
import { frozenGateway } from './s05-frozen-gateway.ts';
import { slowConsumer } from './s06-slow-consumer.ts';
import { redisCluster } from './s07-redis-cluster.ts';
import { networkTrouble } from './s08-network-trouble.ts';
import { offlineEdits } from './s09-offline-edits.ts';
import { attacks } from './s10-attacks.ts';
import { soak } from './s11-soak.ts';
import { sentinelAsync, sentinelDurable } from './s12-sentinel-failover.ts';
import { clusterFailover } from './s14-cluster-failover.ts';
import { restoreBackup } from './s15-restore-backup.ts';
import { replicaPromoted } from './s16-replica-promoted.ts';

/** Every scenario, in issue 5's order, then issue 13's. */
export const SCENARIOS: Scenario[] = [nodeKill, rollingRestart, redisRestart, redisWipe, frozenGateway, slowConsumer, redisCluster, networkTrouble, offlineEdits, attacks, soak, sentinelDurable, sentinelAsync, clusterFailover, restoreBackup, replicaPromoted];
