/** Production entry point of the gateway: configuration from the environment only. */
import { loadTracingConfig } from '../subgraphs/kit/env';
import { listen } from '../subgraphs/kit/listen';
import { createLogger } from '../subgraphs/kit/logger';
import { closeHttpServer, registerShutdown } from '../subgraphs/kit/shutdown';
import { startTracing } from '../subgraphs/kit/tracing';
import { loadGatewayConfig } from './env';
import { createGateway } from './server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  const tracingConfig = loadTracingConfig('gateway');
  const tracing = tracingConfig ? startTracing(tracingConfig) : null;
  const gateway = await createGateway(config);
  await gateway.start();
  const url = await listen(gateway.httpServer, config.host, config.port);
  logger.info({ url }, 'gateway ready');
  registerShutdown(logger, [
    ['http', () => closeHttpServer(gateway.httpServer)],
    ['gateway', () => gateway.close()],
    ['tracing', async () => tracing?.shutdown()],
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
