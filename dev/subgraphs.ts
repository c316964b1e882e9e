/**
 * The subgraphs opsgraph runs locally, in one place for `npm start` and the test stack: each
 * entry builds its subgraph from the settings they all share plus its own overrides.
 */
import type { Server } from 'node:http';
import type { Constructor, EntitySchema } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import type { SubgraphAuthConfig } from '../subgraphs/kit/runtime';
import type { SubgraphBaseConfig } from '../subgraphs/kit/service-config';
import type { PrivateJwk } from '../subgraphs/kit/tokens';
import { entities as usersEntities } from '../subgraphs/users/entities';
import { migrations as usersMigrations } from '../subgraphs/users/migrations';
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
}

export interface LocalSubgraph {
  /** Also the name of its PostgreSQL schema. */
  name: string;
  entities: EntitySchema[];
  migrations: { name: string; class: Constructor<Migration> }[];
  /** Its port under `npm start` (tests use free ports). */
  port: number;
  create(shared: SharedConfig, overrides?: Record<string, unknown>): Promise<SubgraphHandle>;
}

/** In start order: users first, since the others verify API keys through it. */
export const LOCAL_SUBGRAPHS: LocalSubgraph[] = [
  {
    name: 'users',
    port: 4001,
    entities: usersEntities,
    migrations: usersMigrations,
    create: ({ base, signingKey }, overrides) =>
      createUsersSubgraph({
        ...base,
        signingKey,
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 30 * 86_400,
        ...overrides,
      }),
  },
];
