/**
 * The production entry point every subgraph shares: configuration from the environment only,
 * listen, and shut down in order (HTTP first, then everything the subgraph holds). The process
 * starts even when PostgreSQL or Redis is not reachable yet: it waits for them (platform/dependencies).
 */
import type { Server } from 'node:http';
import {
  postgresAnswers,
  redisAnswers,
  serveWhileStarting,
  startWhenReachable,
} from '../../platform/dependencies';
import { loadTracingConfig } from '../../platform/env';
import { ErrorCode } from '../../platform/errors';
import { listen } from '../../platform/listen';
import { createLogger } from '../../platform/logger';
import { closeHttpServer, registerShutdown } from '../../platform/shutdown';
import { startTracing } from '../../platform/tracing';

export function runSubgraph<
  TConfig extends {
    logLevel: string;
    host: string;
    port: number;
    databaseUrl: string;
    redisUrl: string;
  },
>(
  name: string,
  loadConfig: () => TConfig,
  create: (config: TConfig) => Promise<{ httpServer: Server; close(): Promise<void> }>,
): void {
  const start = async () => {
    const config = loadConfig();
    const logger = createLogger({ name, level: config.logLevel });
    // Before anything else, so every span of the process is exported.
    const tracingConfig = loadTracingConfig(name);
    const tracing = tracingConfig ? startTracing(tracingConfig) : null;
    const starting = await serveWhileStarting(config.host, config.port, {
      code: ErrorCode.SUBGRAPH_UNAVAILABLE,
      subgraph: name,
    });
    const subgraph = await startWhenReachable(
      { database: postgresAnswers(config.databaseUrl), redis: redisAnswers(config.redisUrl) },
      logger,
      starting,
      () => create(config),
    );
    await starting.close();
    const url = await listen(subgraph.httpServer, config.host, starting.port);
    logger.info({ url }, `${name} subgraph ready`);
    registerShutdown(logger, [
      ['http', () => closeHttpServer(subgraph.httpServer)],
      ['subgraph', () => subgraph.close()],
      ['tracing', async () => tracing?.shutdown()],
    ]);
  };
  start().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
