import type { EntityManager } from '../kit/orm';
import type { RedisConnections } from '../kit/redis';
import type { RevocationList } from '../kit/revocations';
import type { RequestInfo } from '../kit/subgraph-server';
import type { TokenSigner } from '../kit/tokens';
import type { UsersConfig } from './env';
import { createLoaders, type UsersLoaders } from './loaders';

/** Process-wide dependencies of the users subgraph, built once in createUsersSubgraph. */
export interface UsersDeps {
  config: UsersConfig;
  signer: TokenSigner;
  revocations: RevocationList;
  redis: RedisConnections;
  fork(): EntityManager;
}

export interface UsersContext extends RequestInfo {
  em: EntityManager;
  loaders: UsersLoaders;
  deps: UsersDeps;
}

export function createUsersContext(deps: UsersDeps, request: RequestInfo): UsersContext {
  const em = deps.fork();
  return { ...request, em, loaders: createLoaders(em), deps };
}
