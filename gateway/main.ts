/**
 * Production entry point of the gateway: configuration from the environment only. With
 * GATEWAY_WORKERS other than 1 this process is a node:cluster primary that serves nothing itself:
 * it runs that many gateway workers on the same port (the kernel spreads connections), replaces
 * one that dies, and on SIGTERM/SIGINT stops them all gracefully before exiting. A gateway whose
 * Redis is not reachable yet starts anyway and waits for it (platform/dependencies).
 */
import cluster, { type Worker } from 'node:cluster';
import { accessSync, constants } from 'node:fs';
import { redisAnswers, serveWhileStarting, startWhenReachable } from '../platform/dependencies';
import { ConfigError, loadTracingConfig } from '../platform/env';
import { listen } from '../platform/listen';
import { createLogger, type Logger } from '../platform/logger';
import { closeHttpServer, registerShutdown } from '../platform/shutdown';
import { startTracing } from '../platform/tracing';
import { loadGatewayConfig, type GatewayConfig } from './env';
import { createGateway } from './server';

async function serve(config: GatewayConfig, logger: Logger): Promise<void> {
  const tracingConfig = loadTracingConfig('gateway');
  const tracing = tracingConfig ? startTracing(tracingConfig) : null;
  // Redis may not be reachable yet: answer probes meanwhile and wait for it, never exit.
  const starting = await serveWhileStarting(config.host, config.port, {
    code: 'INTERNAL_SERVER_ERROR',
  });
  const gateway = await startWhenReachable(
    config.redisUrl ? { redis: redisAnswers(config.redisUrl) } : {},
    logger,
    starting,
    async () => {
      const built = await createGateway(config);
      await built.start();
      return built;
    },
  );
  await starting.close();
  const url = await listen(gateway.httpServer, config.host, starting.port);
  logger.info({ url, pid: process.pid }, 'gateway ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(gateway.httpServer)],
    ['gateway', () => gateway.close()],
    ['tracing', async () => tracing?.shutdown()],
  ]);
}

function supervise(config: GatewayConfig, logger: Logger): void {
  let stopping = false;
  const start = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'gateway worker died; replacing it');
    // After a pause, so a worker that cannot start does not spin.
    setTimeout(start, 1000);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  logger.info({ workers: config.workers }, 'starting gateway workers');
  for (let i = 0; i < config.workers; i++) start();
}

try {
  const config = loadGatewayConfig();
  // Read here, not when the variable is validated: manifests name paths of their own machines.
  try {
    accessSync(config.supergraphPath, constants.R_OK);
  } catch {
    throw new ConfigError([`SUPERGRAPH_PATH: cannot read ${config.supergraphPath}`]);
  }
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  if (config.workers !== 1 && cluster.isPrimary) supervise(config, logger);
  else
    serve(config, logger).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
