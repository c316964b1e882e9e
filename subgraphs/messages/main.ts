/** Production entry point of the messages subgraph: configuration from the environment only. */
import { listen } from '../kit/listen';
import { createLogger } from '../kit/logger';
import { closeHttpServer, registerShutdown } from '../kit/shutdown';
import { loadMessagesConfig } from './env';
import { createMessagesSubgraph } from './server';

async function main(): Promise<void> {
  const config = loadMessagesConfig();
  const logger = createLogger({ name: 'messages', level: config.logLevel });
  const subgraph = await createMessagesSubgraph(config);
  const url = await listen(subgraph.httpServer, config.host, config.port);
  logger.info({ url }, 'messages subgraph ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(subgraph.httpServer)],
    ['subgraph', () => subgraph.close()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
