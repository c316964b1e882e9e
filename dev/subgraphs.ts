/**
 * The subgraphs opsgraph runs locally, in one place for `npm start` and the test stack: each
 * entry builds its subgraph from the settings they all share plus its own overrides.
 */
import type { Server } from 'node:http';
import type { SubgraphAuthConfig } from '../subgraphs/kit/runtime';
import type { SubgraphBaseConfig } from '../subgraphs/kit/service-config';
import type { PrivateJwk } from '../subgraphs/kit/tokens';
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
  name: string;
  /** Its port under `npm start` (tests use free ports). */
  port: number;
  create(shared: SharedConfig, overrides?: Record<string, unknown>): Promise<SubgraphHandle>;
}

/** In start order: users first, since the others verify API keys through it. */
export const LOCAL_SUBGRAPHS: LocalSubgraph[] = [
  {
    name: 'users',
    port: 4001,
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
