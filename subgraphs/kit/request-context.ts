/**
 * A subgraph's context for one request: the request, a unit of work of its own, how its reads
 * load (reads.ts), its loaders and the process-wide dependencies. Every subgraph's context.ts
 * names its own loaders and dependencies and builds its context through createRequestContext.
 */
import type { EntityManager } from './orm';
import { readerOf, writableMode, type ReadMode, type ReadScope } from './reads';
import type { RequestInfo } from './request-info';

export interface RequestContext<TLoaders, TDeps> extends RequestInfo, ReadScope {
  /** The request's own EntityManager, forked when first used (see below). */
  readonly em: EntityManager;
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: TLoaders;
  deps: TDeps;
}

/**
 * `em` of every context: its own EntityManager — no request sees another's identity map —
 * forked when first used, since a query reads plain rows through `reader` and never uses it
 * (forking cost a few percent of a request's CPU). The fork is kept in the context's own
 * `forkedEm`, so a subscription that renews its context's state with `Object.assign(ctx,
 * createContext(deps, ctx))` starts over with none, as it did with a fresh fork.
 */
const contextPrototype = {
  get em(): EntityManager {
    const context = this as unknown as {
      forkedEm: EntityManager | undefined;
      deps: { fork(): EntityManager };
    };
    return (context.forkedEm ??= context.deps.fork());
  },
};

export function createRequestContext<TLoaders, TDeps extends { fork(): EntityManager }>(
  deps: TDeps,
  request: RequestInfo,
  createLoaders: (scope: ReadScope) => TLoaders,
): RequestContext<TLoaders, TDeps> {
  const context = Object.assign(Object.create(contextPrototype) as object, {
    ...request,
    mode: request.mode ?? writableMode(),
    forkedEm: undefined,
    reader: readerOf(deps.fork),
    loaders: undefined as TLoaders,
    deps,
  }) as unknown as RequestContext<TLoaders, TDeps>;
  context.loaders = createLoaders(context);
  return context;
}
