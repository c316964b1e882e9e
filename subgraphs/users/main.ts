/** Production entry point of the users subgraph: configuration from the environment only. */
import { listen } from '../kit/listen';
import { createLogger } from '../kit/logger';
import { closeHttpServer, registerShutdown } from '../kit/shutdown';
import { loadUsersConfig } from './env';
import { createUsersSubgraph } from './server';

async function main(): Promise<void> {
  const config = loadUsersConfig();
  const logger = createLogger({ name: 'users', level: config.logLevel });
  const subgraph = await createUsersSubgraph(config);
  const url = await listen(subgraph.httpServer, config.host, config.port);
  logger.info({ url }, 'users subgraph ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(subgraph.httpServer)],
    ['subgraph', () => subgraph.close()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
