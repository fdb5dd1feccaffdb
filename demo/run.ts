/**
 * `npm run demo`: Redis, three gateway nodes and a round-robin balancer on this machine, no Docker.
 * Prints one URL; Ctrl-C stops everything it started.
 */
import { HELP, parseCli, type CliOptions } from './cluster/cli-options.ts';
import { startDemoCluster, type DemoCluster } from './cluster/cluster.ts';
import { DemoSetupError } from './cluster/redis.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

function legend(cluster: DemoCluster): string {
  const nodes = cluster.nodes.map((n) => `${n.id} :${n.port}`).join('   ');
  const redis = cluster.redis.external ? 'REDIS_URL' : `redis-server :${new URL(cluster.redis.url).port} (appendonly)`;
  return [
    '',
    `  Open ${cluster.url}`,
    '',
    '  Phone and Laptop are two devices of one demo user, each connected through the balancer to a node.',
    '  Add to cart or play a video on one and watch the other follow; switch a device offline and back;',
    '  kill a node in the cluster panel and watch its device reconnect elsewhere without losing a change.',
    '',
    `  nodes     ${nodes}`,
    `  balancer  ${cluster.balancer.kind} :${new URL(cluster.url).port}    redis  ${redis}`,
    `  logs      ${cluster.logDir}`,
    '',
    '  Ctrl-C stops everything.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }

  say('tandem demo');
  const starting = startDemoCluster({
    port: options.port,
    balancer: options.balancer,
    redisUrl: process.env['REDIS_URL'] || undefined,
    onStep: (message) => say(`  · ${message}`),
    onAction: (message) => say(`  ! ${message}`),
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    say(`\nstopping (${signal})…`);
    // Even in the middle of a start, wait for it to settle so nothing it spawned is left behind.
    void starting
      .then((cluster) => cluster.stop())
      .catch(() => {})
      .then(() => {
        say('stopped: every process the demo started is gone');
        process.exit(0);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  let cluster: DemoCluster;
  try {
    cluster = await starting;
  } catch (error) {
    if (stopping) return;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof DemoSetupError ? `${message}\n` : `demo failed to start: ${message}\n`);
    process.exit(1);
  }
  if (!stopping) say(legend(cluster));
}

await main();
