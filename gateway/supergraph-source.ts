/**
 * Where the gateway's supergraph comes from: @apollo/gateway over a supergraph file, reloaded
 * when the file changes, with one lean subgraph client per subgraph (data-source.ts).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { ApolloGateway, type Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import type { Logger } from '../platform/logger';
import { createSubgraphClient, type SubgraphClient } from './data-source';
import type { GatewayConfig } from './env';
import type { GatewayMetrics } from './metrics';

export interface SupergraphSource {
  gateway: ApolloGateway;
  /** The current subgraph clients, by subgraph name (replaced when the supergraph changes). */
  clients: Map<string, SubgraphClient>;
}

export function createSupergraphSource(options: {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Called for every plan Apollo's pipeline resolves (the hot path remembers them). */
  didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback;
}): SupergraphSource {
  const { config, logger, metrics } = options;
  const clients = new Map<string, SubgraphClient>();
  const gateway = new ApolloGateway({
    logger,
    experimental_didResolveQueryPlan: options.didResolveQueryPlan,
    supergraphSdl: async ({ update }) => {
      const path = config.supergraphPath;
      let current = readFileSync(path, 'utf8');
      // Polling rather than fs.watch: it survives editors' atomic renames and Kubernetes
      // ConfigMap symlink swaps alike.
      watchFile(path, { interval: 1000 }, () => {
        let next: string;
        try {
          next = readFileSync(path, 'utf8');
        } catch (error) {
          return logger.error(
            { err: error, path },
            'supergraph file unreadable; keeping the current one',
          );
        }
        if (next === current) return;
        try {
          update(next);
          current = next;
          logger.info({ path }, 'supergraph reloaded');
        } catch (error) {
          logger.error({ err: error, path }, 'new supergraph rejected; keeping the current one');
        }
      });
      return { supergraphSdl: current, cleanup: async () => unwatchFile(path) };
    },
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name.toLowerCase()] ?? url;
      if (!target)
        throw new Error(`Subgraph ${name} has no URL; set SUBGRAPH_${name.toUpperCase()}_URL.`);
      clients
        .get(name)
        ?.close()
        .catch(() => undefined);
      const fetchDuration = metrics.subgraphFetchDuration.labels(name);
      const client = createSubgraphClient(
        name,
        target,
        config.subgraphTimeoutMs,
        config.subgraphResilience,
        (seconds) => fetchDuration.observe(seconds),
        (state) => logger.warn({ subgraph: name, state }, 'subgraph circuit breaker changed'),
      );
      clients.set(name, client);
      return client;
    },
  });
  return { gateway, clients };
}
