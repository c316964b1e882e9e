import type { EntityLookup } from '../kit/entity-lookup';
import type { EntityManager } from '../kit/orm';
import type { RequestInfo } from '../kit/request-info';
import { createLoaders, type MessagesLoaders } from './loaders';
import type { MessagesPubSub } from './pubsub';
import type { ContentRules, FloodGuard } from './services/moderation';
import { writableMode, type ReadMode } from '../kit/reads';

/** Process-wide dependencies of the messages subgraph, built once in createMessagesSubgraph. */
export interface MessagesDeps {
  pubsub: MessagesPubSub;
  contentRules: ContentRules;
  floodGuard: FloodGuard;
  /** Which user ids the users subgraph resolves for the caller (i.e. their organization's). */
  users: EntityLookup;
  fork(): EntityManager;
}

export interface MessagesContext extends RequestInfo {
  em: EntityManager;
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: MessagesLoaders;
  deps: MessagesDeps;
}

export function createMessagesContext(deps: MessagesDeps, request: RequestInfo): MessagesContext {
  const em = deps.fork();
  const mode = request.mode ?? writableMode();
  const viewerId = request.principal?.kind === 'user' ? request.principal.userId : null;
  return { ...request, mode, em, loaders: createLoaders(em, mode, viewerId), deps };
}
