/**
 * Executes federated subscriptions. For each client subscription: open the plan's `primary`
 * fetch as an upstream subscription on the owning subgraph, and for every event run the `rest`
 * of the plan through the gateway's execution seam (entity fetches from other subgraphs) before
 * handing the result to the client.
 *
 * Identical subscriptions (same document, variables and credentials) share one "topic": one
 * upstream subscription and one `rest` execution per event, whose result goes to every
 * subscriber. Sharing never costs a subscriber its replay: a topic whose subscription starts
 * from a cursor (`after`) remembers what it delivered since it opened (bounded), and a joiner is
 * handed that first, in the same turn of the event loop in which it joins the live tail — so
 * nothing falls between the two and nothing comes twice. Once that memory has overflowed, the
 * next joiner gets a topic of its own, whose upstream replays from the subgraph's store.
 *
 * An event is never skipped: when its `rest` cannot be completed (a subgraph unreachable or
 * failing), it is retried with backoff while later events wait behind it; if it still fails,
 * the stream ends with a retryable SUBGRAPH_UNAVAILABLE error carrying the last cursor delivered.
 * A topic reads its upstream at most a subscriber's buffer ahead of what it delivered: past that
 * it lets go of the upstream subscription and, once half is delivered, subscribes again after
 * the last event it holds — so a backlog of any length is resumed, in bounded memory.
 * Likewise a subscription that the owning subgraph refuses for a passing reason (starting, its
 * database restarting, failing) is subscribed again with backoff, resuming after the last event
 * it sent, and ends the same way only if that keeps failing.
 * Events that arrive together (a replay) are resolved together — by the lean path where the plan
 * allows (lean-events.ts: one `rest` run for the whole window), the others through the general
 * path with their entity fetches merged by the entity batcher — and delivered strictly in order.
 */
import { createHash } from 'node:crypto';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { Execution } from '../execution';
import { Kind, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ExecutionResult } from 'graphql-ws';
import type { Logger } from '../../platform/logger';
import { isPositionOnly, resumeCursorOf, type ForwardedRequest } from '../../platform/wire';
import { createChannel, type Channel } from '../../platform/channel';
import { ErrorCode, formatErrorsForClient } from '../../platform/errors';
import { createEntityBatcher } from './entity-batcher';
import type { SubscriptionPlan } from './planner';
import type { Upstreams } from './upstream';

export interface SubscriptionRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  forwarded: ForwardedRequest;
}

export interface SubscriptionStats {
  /** Distinct upstream subscriptions (topics) open. */
  topics: number;
  subscribers: number;
  /** `rest` executions since start (one per event per topic, however many subscribers). */
  restExecutions: number;
  eventsDelivered: number;
  /** `rest` executions that failed and were tried again. */
  restRetries: number;
  /** Entity requests sent to subgraphs for `rest`, and the per-event fetches they carried. */
  entityRequests: number;
  entityFetches: number;
}

export interface SubscriptionExecutor {
  /** `onOverflow` runs when this subscriber falls `bufferLimit` events behind. */
  subscribe(
    plan: SubscriptionPlan,
    request: SubscriptionRequest,
    onOverflow: () => void,
  ): Channel<ExecutionResult>;
  stats(): SubscriptionStats;
  /** Ends every subscription (e.g. on shutdown). */
  close(): void;
}

/** How long an event whose `rest` fails is retried before its stream ends. */
export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Time since the event first failed after which the stream ends with a retryable error. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 2_000,
  giveUpAfterMs: 10_000,
};

/**
 * What a topic remembers for joiners, at most (whichever bound is reached first). Joiners with
 * the same cursor come together — a user's tabs reconnecting after a restart, within seconds —
 * so a topic forgets its history once it is `ageMs` old rather than holding it for its life:
 * thousands of resumed single-subscriber topics would otherwise each keep what they delivered.
 */
export interface HistoryLimits {
  events: number;
  /** Of the events' JSON in UTF-8, as they go to the client. */
  bytes: number;
  ageMs: number;
}

export const DEFAULT_HISTORY: HistoryLimits = {
  events: 1_000,
  bytes: 4 * 1024 * 1024,
  ageMs: 60_000,
};

/** Upstream events resolved together at most (their entity fetches merged). */
const WINDOW = 100;
/** Representations in one merged `_entities` request at most. */
const MAX_REPRESENTATIONS = 500;

interface Topic {
  subscribers: Set<Channel<ExecutionResult>>;
  /**
   * What it delivered since it opened, for joiners; null when it does not replay, overflowed or
   * is older than the history's age (see historyOf).
   */
  history: ExecutionResult[] | null;
  historyBytes: number;
  openedAt: number;
  /** Ends the topic: its upstream, its pending events, and every subscriber left. */
  close: () => void;
}

/** A `rest` execution's outcome: the result, or the subgraph that could not complete it. */
type Outcome = { result: ExecutionResult } | { failedService: string | null };

/**
 * Codes a subgraph gives on purpose (the caller may not see this, the input is wrong…): passed
 * to the client as they are. Anything else — INTERNAL_SERVER_ERROR, RATE_LIMITED, no code, an
 * unreachable or starting subgraph (SUBGRAPH_UNAVAILABLE, as the data source reports a refused
 * connection or a 503) — is a failure to complete the event, which is retried.
 */
const RETRIED_CODES = new Set<string>([
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SUBGRAPH_UNAVAILABLE,
]);
const FINAL_CODES = new Set<string>(
  Object.values(ErrorCode).filter((code) => !RETRIED_CODES.has(code)),
);
const isFinal = (error: GraphQLFormattedError) => {
  const code = error.extensions?.code;
  return typeof code === 'string' && FINAL_CODES.has(code);
};
/** A refusal that may pass: a subscription refused only with these is subscribed again. */
const isPassing = (error: GraphQLFormattedError) =>
  RETRIED_CODES.has(error.extensions?.code as string);

export function createSubscriptionExecutor(deps: {
  upstreams: Upstreams;
  /** The data sources of the current supergraph, by subgraph name. */
  dataSources: () => ReadonlyMap<string, GraphQLDataSource & { url: string }>;
  /** Runs one event through the gateway's execution seam (primary replayed, `rest` fetched). */
  runEvent: Execution['runSubscriptionEvent'];
  /** Completes a window of events at once by the lean path; absent: every event runs alone. */
  runEvents?: Execution['runSubscriptionEvents'];
  logger: Logger;
  /** Events a subscriber may fall behind before it is disconnected. */
  bufferLimit: number;
  /**
   * Called per result handed to a topic's subscribers (once for all of them), with the seconds
   * since its upstream event arrived.
   */
  onDelivered?: (latencySeconds: number) => void;
  retry?: RetryPolicy;
  history?: HistoryLimits;
}): SubscriptionExecutor {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const historyLimits = deps.history ?? DEFAULT_HISTORY;
  // A joiner is handed the whole history at once, and a window is delivered at once: both must
  // leave room in a subscriber's buffer for what follows.
  const historyEvents = Math.min(historyLimits.events, Math.floor(deps.bufferLimit / 2));
  const windowSize = Math.max(1, Math.min(WINDOW, Math.floor(deps.bufferLimit / 2)));
  /** Joinable topics by key; a topic replaced by a fresher one keeps serving its subscribers. */
  const topics = new Map<string, Topic>();
  const open = new Set<Topic>();
  const stats = { restExecutions: 0, eventsDelivered: 0, restRetries: 0 };
  const batcher = createEntityBatcher({ maxRepresentations: MAX_REPRESENTATIONS });

  /** The topic's whole history, if it still holds it; forgotten once too old. */
  const historyOf = (topic: Topic): ExecutionResult[] | null => {
    if (topic.history && performance.now() - topic.openedAt > historyLimits.ageMs)
      topic.history = null; // the next joiner replays on its own
    return topic.history;
  };

  const topicKey = (request: SubscriptionRequest) =>
    createHash('sha256')
      .update(
        JSON.stringify([
          request.query,
          request.operationName ?? null,
          request.variables,
          request.forwarded.authorization ?? null,
          request.forwarded.apiKey ?? null,
        ]),
      )
      .digest('base64url');

  /** Runs primary + rest for one upstream event: the primary "fetch" replays the event itself. */
  const resolveEvent = async (
    plan: SubscriptionPlan,
    request: SubscriptionRequest,
    event: ExecutionResult,
  ): Promise<Outcome> => {
    if (plan.rest) stats.restExecutions += 1;
    const failures: string[] = [];
    let result;
    try {
      result = await deps.runEvent(
        plan,
        {
          query: request.query,
          operationName: request.operationName,
          variables: request.variables,
          context: { forwarded: request.forwarded },
        },
        event,
        (name, source) => {
          const batched = batcher.wrap(name, source);
          return {
            async process(options) {
              let response;
              try {
                response = await batched.process(options);
              } catch (error) {
                failures.push(name); // the subgraph is unreachable or answered no GraphQL
                throw error;
              }
              if (response.errors?.some((error) => !isFinal(error))) failures.push(name);
              return response;
            },
          };
        },
      );
    } catch (error) {
      deps.logger.error({ err: error }, 'subscription event failed');
      return { failedService: null };
    }
    if (failures.length > 0) return { failedService: failures[0]! };
    return { result: completed(event, result) };
  };

  /**
   * Runs primary + rest for a window of events: the lean path completes what it can in one go,
   * and every event it hands back (anything but a plain success) runs through resolveEvent.
   */
  const resolveWindow = async (
    plan: SubscriptionPlan,
    request: SubscriptionRequest,
    events: ExecutionResult[],
  ): Promise<Outcome[]> => {
    let lean;
    try {
      lean = await deps.runEvents?.(
        plan,
        {
          query: request.query,
          operationName: request.operationName,
          variables: request.variables,
          context: { forwarded: request.forwarded },
        },
        events,
        (name, source) => batcher.wrap(name, source),
      );
    } catch (error) {
      deps.logger.error({ err: error }, 'lean subscription events failed');
    }
    if (!lean) return Promise.all(events.map((event) => resolveEvent(plan, request, event)));
    const leanOutcomes = lean;
    return Promise.all(
      events.map((event, i): Outcome | Promise<Outcome> => {
        const outcome = leanOutcomes[i]!;
        if ('fallBack' in outcome) return resolveEvent(plan, request, event);
        if (plan.rest) stats.restExecutions += 1;
        if ('unreachable' in outcome) return { failedService: outcome.unreachable };
        return { result: completed(event, outcome) };
      }),
    );
  };

  const openTopic = (key: string, plan: SubscriptionPlan, request: SubscriptionRequest): Topic => {
    const topic: Topic = {
      subscribers: new Set(),
      history: startsFromCursor(plan, request.variables) ? [] : null,
      historyBytes: 0,
      openedAt: performance.now(),
      close: () => undefined,
    };
    const source = deps.dataSources().get(plan.primary.serviceName);
    if (!source) throw new Error(`No subgraph ${plan.primary.serviceName} in the supergraph`);
    open.add(topic);
    let lastCursor: string | null = null;
    /** The last cursor the upstream sent: where a re-subscription resumes. */
    let upstreamCursor: string | undefined;
    let ended = false;
    let stopUpstream = () => undefined as void;
    /**
     * Let go of because a subscriber's buffer of events waits undelivered (a replay arriving
     * faster than it is resolved, or events behind one being retried); taken up again after
     * `upstreamCursor` once half of them are delivered. So a topic holds a bounded number of
     * events, whatever the backlog it resumes.
     */
    let upstreamPaused = false;

    const deliver = (result: ExecutionResult, receivedAt: number) => {
      const latency = (performance.now() - receivedAt) / 1000;
      const cursor = result.extensions?.resumeCursor;
      if (typeof cursor === 'string') lastCursor = cursor;
      const history = historyOf(topic);
      if (history) {
        topic.historyBytes += Buffer.byteLength(JSON.stringify(result));
        history.push(result);
        if (history.length > historyEvents || topic.historyBytes > historyLimits.bytes)
          topic.history = null; // too much to hand over: the next joiner replays on its own
      }
      for (const subscriber of topic.subscribers) subscriber.push(result);
      stats.eventsDelivered += topic.subscribers.size;
      // Once per event: every subscriber of the topic is handed it in this same loop.
      if (topic.subscribers.size > 0) deps.onDelivered?.(latency);
    };
    /** Ends every subscriber, after a last result (the upstream's errors) when there is one. */
    const finish = (last?: ExecutionResult) => {
      if (ended) return;
      ended = true;
      open.delete(topic);
      if (topics.get(key) === topic) topics.delete(key);
      stopUpstream();
      for (const subscriber of topic.subscribers) {
        if (last) subscriber.push(last);
        subscriber.end();
      }
    };
    const giveUp = (failedService: string | null, why: string) => {
      deps.logger.warn({ service: failedService, lastCursor }, why);
      finish({ data: null, errors: [unavailable(failedService, lastCursor)] } as never);
    };

    const queue: { event: ExecutionResult; receivedAt: number }[] = [];
    let pumping = false;
    /** The subgraph the event at the head is waiting for, while it is retried. */
    let failingService: string | null = null;
    /** How the topic ends once the events queued before its upstream ended are delivered. */
    let upstreamEnd: (() => void) | null = null;
    const resolve = (events: ExecutionResult[]) => resolveWindow(plan, request, events);
    /**
     * Resolves queued events a window at a time (concurrently, so their entity fetches merge)
     * and delivers them in order. A failed event is retried with backoff, the ones after it
     * waiting; successes after it are kept and delivered once it succeeds.
     */
    const pump = async () => {
      pumping = true;
      while (queue.length > 0 && !ended) {
        // Let sockets flush what the last window gave them before the next one.
        await new Promise((wake) => setImmediate(wake));
        let window = queue.splice(0, windowSize);
        let outcomes = await resolve(window.map(({ event }) => event));
        let delay = retry.initialDelayMs;
        let failingSince = 0;
        for (;;) {
          if (ended) return;
          let done = 0;
          for (const outcome of outcomes) {
            if (!('result' in outcome)) break;
            deliver(outcome.result, window[done]!.receivedAt);
            done += 1;
          }
          if (done > 0) {
            window = window.slice(done);
            outcomes = outcomes.slice(done);
            delay = retry.initialDelayMs;
            failingSince = 0;
            failingService = null;
          }
          const failed = outcomes[0];
          if (!failed || 'result' in failed) break;
          failingSince ||= performance.now();
          failingService = failed.failedService;
          if (performance.now() - failingSince >= retry.giveUpAfterMs)
            return giveUp(failed.failedService, 'subscription event could not be completed');
          await new Promise((wake) => setTimeout(wake, delay).unref());
          delay = Math.min(delay * 2, retry.maxDelayMs);
          stats.restRetries += 1;
          // Only the failed ones run again; the successes after them are kept.
          const again = window.flatMap(({ event }, i) => ('result' in outcomes[i]! ? [] : [event]));
          const retried = await resolve(again);
          outcomes = outcomes.map((outcome) => ('result' in outcome ? outcome : retried.shift()!));
        }
        if (upstreamPaused && queue.length <= deps.bufferLimit / 2 && !ended) {
          upstreamPaused = false;
          subscribeUpstream();
        }
      }
      pumping = false;
      if (upstreamEnd && !ended) upstreamEnd();
    };
    const run = () => {
      if (pumping) return;
      pump().catch((error: unknown) => {
        deps.logger.error({ err: error }, 'subscription pipeline failed');
        giveUp(null, 'subscription pipeline failed');
      });
    };

    const primaryVariables = Object.fromEntries(
      (plan.primary.variableUsages ?? [])
        .filter((name) => name in request.variables)
        .map((name) => [name, request.variables[name]]),
    );
    topic.close = () => finish();
    const service = plan.primary.serviceName;
    const endUpstream = (end: () => void) => {
      upstreamEnd = end;
      if (!pumping) end();
    };
    let refusedSince = 0;
    let refusalDelay = retry.initialDelayMs;
    /** Which upstream subscription is current: a refused one's late messages are ignored. */
    let attempt = 0;
    /**
     * The subgraph refused the subscription: passed on when the refusal is for good (FORBIDDEN,
     * a bad cursor…), else subscribed again with backoff until the retry budget is spent.
     */
    const refused = (errors: NonNullable<ExecutionResult['errors']>) => {
      attempt += 1; // what the refused subscription still sends (its completion) is stale
      stopUpstream();
      if (!errors.every(isPassing)) return endUpstream(() => finish({ data: null, errors }));
      refusedSince ||= performance.now();
      if (performance.now() - refusedSince >= retry.giveUpAfterMs)
        return endUpstream(() => giveUp(service, 'subscription refused by its subgraph'));
      const timer = setTimeout(subscribeUpstream, refusalDelay);
      timer.unref();
      stopUpstream = () => clearTimeout(timer);
      refusalDelay = Math.min(refusalDelay * 2, retry.maxDelayMs);
    };
    const subscribeUpstream = () => {
      const current = ++attempt;
      stopUpstream = deps.upstreams.subscribe(
        source.url,
        {
          query: plan.primary.operation,
          operationName: plan.primary.operationName,
          variables: primaryVariables,
          forwarded: request.forwarded,
          resumeAfter: upstreamCursor,
        },
        {
          next: (event) => {
            if (ended || current !== attempt) return;
            // Where a stream without cursor starts (asked for with sendStartCursor): no event,
            // but a position to resume from should the connection drop before the first one.
            if (isPositionOnly(event)) {
              upstreamCursor = resumeCursorOf(event) ?? upstreamCursor;
              return;
            }
            // A result without `data` is a request error (GraphQL spec, "Response"): the
            // subscription was refused before it started, and no event comes after it. One
            // refused for good goes to the client like an event, and the stream completes.
            if (!('data' in event) && event.errors?.length && event.errors.every(isPassing))
              return refused(event.errors);
            refusedSince = 0;
            refusalDelay = retry.initialDelayMs;
            upstreamCursor = resumeCursorOf(event) ?? upstreamCursor;
            queue.push({ event, receivedAt: performance.now() });
            if (queue.length >= deps.bufferLimit) {
              // A stream without positions could not be taken up again where it was let go.
              if (upstreamCursor === undefined)
                return giveUp(failingService, 'subscription events piled up undelivered');
              upstreamPaused = true;
              attempt += 1; // what the let-go subscription still sends comes again after
              stopUpstream();
            }
            run();
          },
          error: (error) => {
            if (ended || current !== attempt) return;
            refused(upstreamErrors(error, service)!);
          },
          complete: () => {
            if (current === attempt) endUpstream(() => finish());
          },
        },
      );
    };
    subscribeUpstream();
    return topic;
  };

  return {
    subscribe(plan, request, onOverflow) {
      const key = topicKey(request);
      const shared = topics.get(key);
      // A replaying topic whose history overflowed cannot hand a joiner its replay.
      const joinable =
        shared && (historyOf(shared) !== null || !startsFromCursor(plan, request.variables));
      const topic = joinable ? shared : openTopic(key, plan, request);
      topics.set(key, topic);
      const channel = createChannel<ExecutionResult>(
        deps.bufferLimit,
        () => {
          topic.subscribers.delete(channel);
          if (topic.subscribers.size === 0) topic.close();
        },
        onOverflow,
      );
      // The replay so far, then the live tail: both in this turn, so nothing falls between.
      if (joinable && topic.history) {
        for (const result of topic.history) channel.push(result);
        stats.eventsDelivered += topic.history.length;
      }
      topic.subscribers.add(channel);
      return channel;
    },
    stats: () => {
      const batched = batcher.stats();
      return {
        topics: open.size,
        subscribers: [...open].reduce((sum, topic) => sum + topic.subscribers.size, 0),
        ...stats,
        entityRequests: batched.requests,
        entityFetches: batched.fetches,
      };
    },
    close() {
      for (const topic of [...open]) topic.close();
    },
  };
}

/**
 * An event's result for clients. The subgraph's position in the stream travels with every
 * result, so that a client can resume without selecting a cursor field.
 */
function completed(
  event: ExecutionResult,
  result: { data?: unknown; errors?: readonly unknown[] },
): ExecutionResult {
  const resumeCursor = (event.extensions as { resumeCursor?: unknown } | undefined)?.resumeCursor;
  return {
    data: result.data ?? null,
    ...(result.errors?.length ? { errors: result.errors } : {}),
    ...(typeof resumeCursor === 'string' ? { extensions: { resumeCursor } } : {}),
  } as ExecutionResult;
}

/**
 * Whether the subscription starts from a cursor: its root field is given a non-null `after`
 * (the resume convention every resumable stream follows). Only such a topic hands joiners what
 * it delivered before they joined; a live-only joiner gets what happens from now on.
 */
function startsFromCursor(plan: SubscriptionPlan, variables: Record<string, unknown>): boolean {
  const root = plan.operationContext.operation.selectionSet.selections.find(
    (selection) => selection.kind === Kind.FIELD,
  );
  const after =
    root?.kind === Kind.FIELD ? root.arguments?.find((a) => a.name.value === 'after') : undefined;
  if (!after) return false;
  if (after.value.kind === Kind.VARIABLE) return variables[after.value.name.value] != null;
  return after.value.kind !== Kind.NULL;
}

/** The documented end of a stream whose event could not be completed (docs/subscriptions.md). */
function unavailable(serviceName: string | null, lastCursor: string | null): GraphQLFormattedError {
  return {
    message:
      serviceName === null
        ? 'An event could not be completed; resubscribe after extensions.lastCursor.'
        : `Subgraph ${serviceName} is unavailable; resubscribe after extensions.lastCursor.`,
    extensions: {
      code: SUBGRAPH_UNAVAILABLE,
      ...(serviceName === null ? {} : { serviceName }),
      retryable: true,
      lastCursor,
    },
  };
}

const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';

/**
 * formatErrorsForClient, except that SUBGRAPH_UNAVAILABLE (raised by the gateway, naming the
 * subgraph and, when the stream ended on it, the cursor to resume after) reaches the client as
 * it is: it tells the client what to do.
 */
export function formatSubscriptionErrors(
  errors: readonly (GraphQLError | GraphQLFormattedError)[],
): GraphQLFormattedError[] {
  return errors.map((error) => {
    if (error.extensions?.code !== SUBGRAPH_UNAVAILABLE) return formatErrorsForClient([error])[0]!;
    const { code, serviceName, retryable, lastCursor } = error.extensions as Record<
      string,
      unknown
    >;
    return {
      message: error.message,
      extensions: {
        code,
        ...(serviceName === undefined ? {} : { serviceName }),
        ...(retryable === undefined ? {} : { retryable, lastCursor }),
      },
    };
  });
}

/**
 * graphql-ws reports a refused subscription as an array of GraphQL errors (passed on, e.g.
 * UNAUTHENTICATED), and a lost connection as anything else.
 */
function upstreamErrors(error: unknown, serviceName: string): ExecutionResult['errors'] {
  if (Array.isArray(error)) return error as ExecutionResult['errors'];
  return [
    {
      message: `Subgraph ${serviceName} is unreachable.`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName },
    },
  ] as never;
}
