/** Production entry point of the deployments subgraph: configuration from the environment only. */
import { listen } from '../kit/listen';
import { createLogger } from '../kit/logger';
import { closeHttpServer, registerShutdown } from '../kit/shutdown';
import { loadDeploymentsConfig } from './env';
import { createDeploymentsSubgraph } from './server';

async function main(): Promise<void> {
  const config = loadDeploymentsConfig();
  const logger = createLogger({ name: 'deployments', level: config.logLevel });
  const subgraph = await createDeploymentsSubgraph(config);
  const url = await listen(subgraph.httpServer, config.host, config.port);
  logger.info({ url }, 'deployments subgraph ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(subgraph.httpServer)],
    ['subgraph', () => subgraph.close()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
