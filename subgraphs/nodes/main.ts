/** Production entry point of the nodes subgraph: configuration from the environment only. */
import { listen } from '../kit/listen';
import { createLogger } from '../kit/logger';
import { closeHttpServer, registerShutdown } from '../kit/shutdown';
import { loadNodesConfig } from './env';
import { createNodesSubgraph } from './server';

async function main(): Promise<void> {
  const config = loadNodesConfig();
  const logger = createLogger({ name: 'nodes', level: config.logLevel });
  const subgraph = await createNodesSubgraph(config);
  const url = await listen(subgraph.httpServer, config.host, config.port);
  logger.info({ url }, 'nodes subgraph ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(subgraph.httpServer)],
    ['subgraph', () => subgraph.close()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
