/**
 * A subscription field's resumable change stream (change-log.ts, `changeStream`) on the request's
 * pub/sub, database and stream state: every change-stream subscription opens its stream this way.
 */
import { changeHeadCursor, changeStream, decodeChangeCursor, type Positioned } from './change-log';
import type { EntityManager } from './orm';
import type { TypedPubSub } from './pubsub';
import type { ReadMode } from './reads';
import type { AccessRecheck, StreamState } from './resumable';

export function subscribeToChanges<
  TopicMap extends Record<string, unknown>,
  K extends keyof TopicMap & string,
>(
  ctx: {
    deps: { pubsub: TypedPubSub<TopicMap>; fork: () => EntityManager };
    stream?: StreamState;
  },
  options: {
    topic: K;
    /** The subgraph's PostgreSQL schema, where its change records are stored. */
    schema: string;
    scope: string;
    match: Partial<TopicMap[K]>;
    after: string | null | undefined;
    authorize?: (item: TopicMap[K] & Positioned) => Promise<void>;
    accessRecheck?: AccessRecheck;
  },
): AsyncGenerator<TopicMap[K] & Positioned> {
  // A bad cursor is the client's mistake: refuse it now rather than once the stream runs.
  if (options.after != null) decodeChangeCursor(options.topic, options.scope, options.after);
  return changeStream({
    ...options,
    pubsub: ctx.deps.pubsub,
    fork: ctx.deps.fork,
    stream: ctx.stream,
  });
}

/**
 * A `<subscription>Head` query field: the cursor of the stream's latest change, read on the
 * primary, for a client to subscribe from after loading its view. The request becomes a read
 * fence (ReadMode.fence): with replicas, the caller's next queries wait for one that has
 * replayed past the head, so the view they load is never older than it.
 */
export async function changesHead(
  ctx: { deps: { fork: () => EntityManager }; mode: ReadMode },
  options: { topic: string; schema: string; scope: string },
): Promise<string> {
  ctx.mode.fence = true;
  return changeHeadCursor(ctx.deps.fork(), options.schema, options.topic, options.scope);
}

/**
 * A change-stream subscription field's resolvers, from its stream service's two functions:
 * `open` starts the stream for the request's context and arguments, `resolve` turns each change
 * into what the field returns, in the same context (which lives as long as the subscription).
 */
export function changeSubscriptionField<TContext, TArgs, TEvent, TResult>(
  open: (ctx: TContext, args: TArgs) => Promise<AsyncIterable<TEvent>>,
  resolve: (ctx: TContext, event: TEvent) => TResult,
) {
  return {
    subscribe: (_parent: unknown, args: TArgs, ctx: TContext) => open(ctx, args),
    resolve: (event: TEvent, _args: unknown, ctx: TContext) => resolve(ctx, event),
  };
}
