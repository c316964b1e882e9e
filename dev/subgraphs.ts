/**
 * The subgraphs opsgraph runs locally, in one place for `npm start` and the test stack: each
 * entry builds its subgraph from the settings they all share plus its own overrides.
 */
import type { Server } from 'node:http';
import type { EntitySchema } from '@mikro-orm/core';
import type { Migrations } from '../subgraphs/kit/orm';
import type { SubgraphAuthConfig, SubgraphBaseConfig } from '../subgraphs/kit/service-config';
import { publicJwkOf, type PrivateJwk } from '../platform/tokens';
import { trustedProxies } from '../platform/trusted-proxies';
import { entities as deploymentsEntities } from '../subgraphs/deployments/entities';
import { DEPLOYMENTS_DEFAULTS } from '../subgraphs/deployments/env';
import { migrations as deploymentsMigrations } from '../subgraphs/deployments/migrations';
import { createDeploymentsSubgraph } from '../subgraphs/deployments/server';
import { entities as messagesEntities } from '../subgraphs/messages/entities';
import { MESSAGES_DEFAULTS } from '../subgraphs/messages/env';
import { migrations as messagesMigrations } from '../subgraphs/messages/migrations';
import { createMessagesSubgraph } from '../subgraphs/messages/server';
import { entities as nodesEntities } from '../subgraphs/nodes/entities';
import { NODES_DEFAULTS } from '../subgraphs/nodes/env';
import { migrations as nodesMigrations } from '../subgraphs/nodes/migrations';
import { createNodesSubgraph } from '../subgraphs/nodes/server';
import { entities as usersEntities } from '../subgraphs/users/entities';
import { migrations as usersMigrations } from '../subgraphs/users/migrations';
import { USERS_DEFAULTS } from '../subgraphs/users/env';
import { createUsersSubgraph } from '../subgraphs/users/server';

/** What the local runner and the tests need of any subgraph. */
export interface SubgraphHandle {
  httpServer: Server;
  statementCount(): number;
  close(): Promise<void>;
}

export interface SharedConfig {
  base: SubgraphBaseConfig & SubgraphAuthConfig;
  /** Signs tokens in the subgraphs that issue them (users; nodes for node tokens). */
  signingKey: PrivateJwk;
  /**
   * URLs of the subgraphs started so far, by name, for one that calls another on a caller's
   * behalf; where absent, the other's `npm start` port is assumed.
   */
  subgraphUrls?: Record<string, string>;
}

/**
 * The settings every locally run subgraph shares (npm start, tests, benchmarks): loopback, the
 * given database and Redis, tokens signed by `signingKey`. API keys are verified through the
 * users subgraph at `apiKeyIntrospectionUrl` (set it once users listens when its port is free).
 */
export function localSharedConfig(options: {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  signingKey: PrivateJwk;
  production?: boolean;
  databasePoolSize?: number;
  apiKeyIntrospectionUrl?: string;
  rateLimits?: SubgraphBaseConfig['rateLimits'];
}): SharedConfig {
  return {
    signingKey: options.signingKey,
    base: {
      production: options.production ?? false,
      host: '127.0.0.1',
      port: 0,
      databaseUrl: options.databaseUrl,
      databasePoolSize: options.databasePoolSize ?? 10,
      redisUrl: options.redisUrl,
      redisPrefix: options.redisPrefix,
      logLevel: options.logLevel,
      maxBodyBytes: 1_000_000,
      // The gateways run on this machine: the client address they forward is the one the
      // per-address limits count (a login's), not the gateway's own.
      trustedProxies: trustedProxies(['127.0.0.1', '::1']),
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      publicKeys: [publicJwkOf(options.signingKey)],
      apiKeyIntrospectionUrl: options.apiKeyIntrospectionUrl ?? '',
    },
  };
}

export interface LocalSubgraph {
  /** Also the name of its PostgreSQL schema. */
  name: string;
  entities: EntitySchema[];
  migrations: Migrations;
  /** Its port under `npm start`: the gateway's PORT plus this, 4001–4004 by default (tests use free ports). */
  portOffset: number;
  create(shared: SharedConfig, overrides?: Record<string, unknown>): Promise<SubgraphHandle>;
}

/** In start order: users first, since the others verify API keys through it. */
export const LOCAL_SUBGRAPHS: LocalSubgraph[] = [
  {
    name: 'users',
    portOffset: 1,
    entities: usersEntities,
    migrations: usersMigrations,
    create: ({ base, signingKey }, overrides) =>
      createUsersSubgraph({ ...base, signingKey, ...USERS_DEFAULTS, ...overrides }),
  },
  {
    name: 'nodes',
    portOffset: 2,
    entities: nodesEntities,
    migrations: nodesMigrations,
    create: ({ base, signingKey }, overrides) =>
      createNodesSubgraph({ ...base, ...NODES_DEFAULTS, signingKey, ...overrides }),
  },
  {
    name: 'messages',
    portOffset: 3,
    entities: messagesEntities,
    migrations: messagesMigrations,
    create: ({ base, subgraphUrls }, overrides) =>
      createMessagesSubgraph({
        ...base,
        ...MESSAGES_DEFAULTS,
        // Asks the users subgraph (started before it) whether new channel members exist.
        ...(subgraphUrls?.users ? { usersSubgraphUrl: subgraphUrls.users } : {}),
        ...overrides,
      }),
  },
  {
    name: 'deployments',
    portOffset: 4,
    entities: deploymentsEntities,
    migrations: deploymentsMigrations,
    create: ({ base, subgraphUrls }, overrides) =>
      createDeploymentsSubgraph({
        ...base,
        ...DEPLOYMENTS_DEFAULTS,
        // Asks the nodes subgraph (started before it) whether a deployment's node exists.
        ...(subgraphUrls?.nodes ? { nodesUrl: subgraphUrls.nodes } : {}),
        ...overrides,
      }),
  },
];
