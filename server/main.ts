import { ConfigError, configHelp, loadProcessConfig, type Config } from './config.ts';
import { startNode } from './node.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';

/** The composition root: config → engine → gateway → listen; SIGTERM/SIGINT drain, then exit. */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(configHelp());
    return;
  }
  let config: Config;
  try {
    config = loadProcessConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error('tandem: invalid configuration');
    for (const { variable, problem } of err.problems) console.error(`  ${variable}: ${problem}`);
    console.error('run with --help for the list of variables');
    process.exit(1);
  }

  const logger = createLogger({ level: config.logLevel, nodeId: config.nodeId });
  for (const warning of config.warnings) logger.warn(`WARNING: ${warning}`);
  const metrics = createMetrics({ nodeId: config.nodeId });
  const { infra, gateway, admin, port, adminPort, webhooks } = await startNode(config, logger, metrics);
  // At every LOG_LEVEL: launchers started with PORT=0 / ADMIN_PORT=0 learn the ports from these two lines.
  const startupLog = logger.child({}, { level: 'info' });
  startupLog.info(
    {
      port,
      host: config.host,
      engine: infra.engine.kind,
      adapter: infra.pubsub?.mode ?? 'none',
      devTokens: config.devTokens,
      algorithms: config.jwt.algorithms,
    },
    'listening',
  );
  if (config.demoDir) {
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`;
    logger.info({ url }, `demo page: open ${url}`);
    // The JSON line is for log collectors; a person at a terminal gets the address on its own line.
    if (process.stdout.isTTY) process.stdout.write(`\n  Tandem is running: open ${url} in a browser\n\n`);
  }
  startupLog.info({ adminPort, adminHost: config.admin.host, apiKeys: config.admin.keys.map((k) => `${k.name}:${k.scope}`) }, 'admin listening');

  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      logger.warn({ signal }, 'exiting without finishing the drain');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'draining');
    const outcome = await gateway.drain();
    logger.info({ outcome }, 'drained');
    await gateway.close();
    await admin.close();
    await webhooks.stop();
    await infra.close();
    logger.info('bye');
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

main().catch((err: unknown) => {
  console.error('tandem: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
