/** Production entry point of the gateway: configuration from the environment only. */
import { listen } from '../subgraphs/kit/listen';
import { createLogger } from '../subgraphs/kit/logger';
import { closeHttpServer, registerShutdown } from '../subgraphs/kit/shutdown';
import { loadGatewayConfig } from './env';
import { createGateway } from './server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  const gateway = await createGateway(config);
  await gateway.start();
  const url = await listen(gateway.httpServer, config.host, config.port);
  logger.info({ url }, 'gateway ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(gateway.httpServer)],
    ['gateway', () => gateway.close()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
