/**
 * Completes a window of subscription events (a replay after a reconnect, or a burst) with the
 * lean executor's compiled pieces instead of one executeQueryPlan run per event. In a reconnect
 * storm each topic replays its backlog, and Apollo's executor cost ~255 µs of gateway CPU per
 * event (rebuilding the operation, trace nodes, spans, generic result shaping); here the shaping
 * is compiled once per plan, and the plan's `rest` runs once for the whole window: each Flatten
 * gathers its entities from every event, each Fetch sends one request for all of them (identical
 * representations once), and the answer is merged back into each event.
 *
 * Like the lean executor it covers the success path only. An event whose completion is anything
 * but plain — its upstream result carries errors, a fetch answers with errors or not the entities
 * asked for, a value the API schema rejects or a null where it forbids one — comes back as
 * `fallBack`, and the caller runs that event through the general path (executeQueryPlan), whose
 * answer, errors and retries included, is the one clients get. Only a fetch that could not be
 * sent at all (the subgraph unreachable, its breaker open) is reported as such for the events
 * that needed it, since the general path would fail those events on the same subgraph.
 */
import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import type { ExecutionResult } from 'graphql-ws';
import {
  compileObject,
  deepMerge,
  distinctRepresentations,
  FallBack,
  flatten,
  isCovered,
  isCoveredPlan,
  type Data,
} from '../lean-executor';
import type { SubscriptionPlan } from './planner';

/** One event's completion: its data, the subgraph it could not reach, or the general path. */
export type LeanOutcome = { data: Data } | { unreachable: string } | { fallBack: true };

export interface LeanEvents {
  run(
    events: readonly ExecutionResult[],
    variables: Record<string, unknown>,
    context: object,
    services: ServiceMap,
  ): Promise<LeanOutcome[]>;
}

/** The lean completion of a plan's events, or null when the plan needs the general path. */
export function compileLeanEvents(
  apiSchema: GraphQLSchema,
  plan: SubscriptionPlan,
): LeanEvents | null {
  const { operation, fragments } = plan.operationContext;
  const subscriptionType = apiSchema.getSubscriptionType();
  if (!subscriptionType || !isCovered(operation, fragments)) return null;
  if (!isCoveredPlan(plan.primary, apiSchema) || plan.primary.requires) return null;
  if (plan.rest && !isCoveredPlan(plan.rest, apiSchema)) return null;
  const shapeRoot = compileObject(apiSchema, subscriptionType, [operation.selectionSet], fragments);
  const rest = plan.rest;

  return {
    async run(events, variables, context, services) {
      const outcomes: (LeanOutcome | null)[] = events.map(() => null);
      const roots: Data[] = events.map((event, i) => {
        const data = event.data;
        if (event.errors?.length || !data || typeof data !== 'object' || Array.isArray(data)) {
          outcomes[i] = { fallBack: true };
          return {};
        }
        // A copy: the event itself stays as the upstream sent it, for the general path.
        return structuredClone(data) as Data;
      });
      if (rest) {
        const targets: Target[] = [];
        roots.forEach((root, event) => {
          if (!outcomes[event]) targets.push({ event, value: root });
        });
        await runNode(rest, targets, { variables, context, services, outcomes });
      }
      return roots.map((root, i) => {
        const settled = outcomes[i];
        if (settled) return settled;
        try {
          return { data: shapeRoot(root) as Data };
        } catch (error) {
          if (error instanceof FallBack) return { fallBack: true };
          throw error;
        }
      });
    },
  };
}

/** A value an event's plan node works on (an entity, a list of them, or the root). */
interface Target {
  event: number;
  value: unknown;
}

interface Run {
  variables: Record<string, unknown>;
  context: object;
  services: ServiceMap;
  /** Per event: settled early (it fell back or its subgraph was unreachable), or null. */
  outcomes: (LeanOutcome | null)[];
}

const live = (targets: Target[], run: Run) => targets.filter((t) => !run.outcomes[t.event]);

async function runNode(node: PlanNode, targets: Target[], run: Run): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runNode(child, live(targets, run), run);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => runNode(child, targets, run)));
      return;
    case 'Flatten': {
      const inner: Target[] = [];
      for (const target of targets) {
        try {
          const value = flatten(target.value, node.path as string[], 0);
          if (value != null) inner.push({ event: target.event, value });
        } catch (error) {
          if (!(error instanceof FallBack)) throw error;
          run.outcomes[target.event] = { fallBack: true };
        }
      }
      if (inner.length > 0) await runNode(node.node, inner, run);
      return;
    }
    case 'Fetch':
      return runFetch(node, targets, run);
    default:
      // isCoveredPlan admits no other node.
      for (const target of targets) run.outcomes[target.event] = { fallBack: true };
  }
}

/** One request for every target's entities; what it answers is merged into each. */
async function runFetch(fetch: FetchNode, targets: Target[], run: Run): Promise<void> {
  const entities: { event: number; entity: Data }[] = [];
  for (const { event, value } of targets) {
    for (const entity of Array.isArray(value) ? value : [value])
      if (entity != null) entities.push({ event, entity: entity as Data });
  }
  if (entities.length === 0) return;
  const variables: Record<string, unknown> = {};
  for (const name of fetch.variableUsages ?? []) {
    if (run.variables[name] !== undefined) variables[name] = run.variables[name];
  }
  const settle = (events: Iterable<number>, outcome: LeanOutcome) => {
    for (const event of events) run.outcomes[event] = outcome;
  };
  if (!fetch.requires) {
    const received = await send(fetch, variables, run);
    if ('unreachable' in received || 'fallBack' in received)
      return settle(new Set(entities.map((e) => e.event)), received);
    for (const { entity } of entities) deepMerge(entity, received.data);
    return;
  }
  const { representations, indexes } = distinctRepresentations(
    entities.map(({ entity }) => entity),
    fetch.requires,
  );
  const owners = entities
    .map(({ event, entity }, i) => ({ event, entity, index: indexes[i]! }))
    .filter(({ index }) => index !== -1);
  if (owners.length === 0) return;
  const received = await send(fetch, { ...variables, representations }, run, true);
  if ('unreachable' in received || 'fallBack' in received)
    return settle(new Set(owners.map((o) => o.event)), received);
  const answered = received.data._entities;
  if (!Array.isArray(answered) || answered.length !== representations.length)
    return settle(new Set(owners.map((o) => o.event)), { fallBack: true });
  // An error about one entity (its path `_entities.<i>`) concerns the events that own it alone;
  // one without such a path concerns every event.
  const failed = new Set<number>();
  for (const error of received.errors) {
    const [head, index] = error.path ?? [];
    if (head !== '_entities' || typeof index !== 'number')
      return settle(new Set(owners.map((o) => o.event)), { fallBack: true });
    failed.add(index);
  }
  for (const { event, index } of owners) if (failed.has(index)) settle([event], { fallBack: true });
  // Events with the same entity share what was answered for it; shaping copies it out.
  for (const { event, entity, index } of owners)
    if (!run.outcomes[event]) deepMerge(entity, answered[index] as Data | null);
}

type Sent =
  | { data: Data; errors: readonly { path?: readonly (string | number)[] }[] }
  | { unreachable: string }
  | { fallBack: true };

/** Sends a fetch; an answer with errors falls back unless `entityErrors` (the caller sorts them). */
async function send(
  fetch: FetchNode,
  variables: Data,
  run: Run,
  entityErrors = false,
): Promise<Sent> {
  const service: GraphQLDataSource | undefined = run.services[fetch.serviceName];
  if (!service) return { fallBack: true };
  let response;
  try {
    response = await service.process({
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      context: run.context,
    } as Parameters<GraphQLDataSource['process']>[0]);
  } catch {
    return { unreachable: fetch.serviceName };
  }
  if ((response.errors?.length && !entityErrors) || !response.data) return { fallBack: true };
  return { data: response.data, errors: response.errors ?? [] };
}
