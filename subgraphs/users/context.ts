import type { EntityManager } from '../kit/orm';
import type { RedisConnections } from '../../platform/redis';
import type { RevocationList } from '../../platform/revocations';
import type { RequestInfo } from '../kit/request-info';
import type { TokenSigner } from '../../platform/tokens';
import type { UsersConfig } from './env';
import { createLoaders, type UsersLoaders } from './loaders';
import { writableMode, type ReadMode } from '../kit/reads';

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
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: UsersLoaders;
  deps: UsersDeps;
}

export function createUsersContext(deps: UsersDeps, request: RequestInfo): UsersContext {
  const em = deps.fork();
  const mode = request.mode ?? writableMode();
  return { ...request, mode, em, loaders: createLoaders(em, mode), deps };
}
