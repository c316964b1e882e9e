/**
 * A subgraph's context for one request: the request, a unit of work of its own, how its reads
 * load (reads.ts), its loaders and the process-wide dependencies. Every subgraph's context.ts
 * names its own loaders and dependencies and builds its context through createRequestContext.
 */
import type { EntityManager } from './orm';
import { writableMode, type ReadMode } from './reads';
import type { RequestInfo } from './request-info';

export interface RequestContext<TLoaders, TDeps> extends RequestInfo {
  em: EntityManager;
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: TLoaders;
  deps: TDeps;
}

export function createRequestContext<TLoaders, TDeps extends { fork(): EntityManager }>(
  deps: TDeps,
  request: RequestInfo,
  createLoaders: (em: EntityManager, mode: ReadMode) => TLoaders,
): RequestContext<TLoaders, TDeps> {
  // Its own EntityManager: no request sees another's identity map.
  const em = deps.fork();
  const mode = request.mode ?? writableMode();
  return { ...request, mode, em, loaders: createLoaders(em, mode), deps };
}
