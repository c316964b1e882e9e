import type { EntityManager } from '../kit/orm';
import type { RedisConnections } from '../../platform/redis';
import type { RevocationList } from '../../platform/revocations';
import { createRequestContext, type RequestContext } from '../kit/request-context';
import type { RequestInfo } from '../kit/request-info';
import type { TokenSigner } from '../../platform/tokens';
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

export type UsersContext = RequestContext<UsersLoaders, UsersDeps>;

export function createUsersContext(deps: UsersDeps, request: RequestInfo): UsersContext {
  return createRequestContext(deps, request, createLoaders);
}
