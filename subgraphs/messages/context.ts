import type { EntityLookup } from '../kit/entity-lookup';
import type { EntityManager } from '../kit/orm';
import { createRequestContext, type RequestContext } from '../kit/request-context';
import type { RequestInfo } from '../kit/request-info';
import { createLoaders, type MessagesLoaders } from './loaders';
import type { MessagesPubSub } from './pubsub';
import type { ContentRules, FloodGuard } from './services/moderation';

/** Process-wide dependencies of the messages subgraph, built once in createMessagesSubgraph. */
export interface MessagesDeps {
  pubsub: MessagesPubSub;
  contentRules: ContentRules;
  floodGuard: FloodGuard;
  /** Which user ids the users subgraph resolves for the caller (i.e. their organization's). */
  users: EntityLookup;
  fork(): EntityManager;
}

export type MessagesContext = RequestContext<MessagesLoaders, MessagesDeps>;

export function createMessagesContext(deps: MessagesDeps, request: RequestInfo): MessagesContext {
  const viewerId = request.principal?.kind === 'user' ? request.principal.userId : null;
  return createRequestContext(deps, request, (scope) => createLoaders(scope, viewerId));
}
