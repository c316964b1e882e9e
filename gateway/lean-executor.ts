/**
 * A lean executor for the hot path's queries. @apollo/gateway's executeQueryPlan rebuilds the
 * operation from its AST on every request, allocates trace nodes and spans, and shapes the
 * result by walking that operation generically; on the dashboard query those were most of the
 * gateway's CPU. Here the work that depends on the operation alone — which fields each object
 * contributes, for each runtime type, in which order, with which nullability — is compiled once
 * per operation, and a request only sends the plan's fetches, merges what they return and copies
 * the requested fields out.
 *
 * It is deliberately the success path only. A plan or operation it does not cover (anything but
 * Sequence, Parallel, Flatten and Fetch nodes without rewrites; directives; introspection) is
 * not compiled, and anything unusual at run time — a subgraph error, an unreachable subgraph, a
 * null where the schema forbids one, a leaf value the API schema rejects, an unknown __typename —
 * makes `execute` return `{ fallBack }`: the caller then runs the same query with
 * executeQueryPlan, whose answer, errors included, is Apollo's. A run that falls back first lets
 * the fetches under way in parallel branches finish (sending nothing more), then gives that run
 * service stand-ins that answer every fetch the lean run sent with the response it got (or its
 * failure), in the order the responses came — so a subgraph error costs no second round of
 * calls, and errors from parallel fetches are listed as Apollo lists them, by arrival. An entity
 * fetch the lean run sent with duplicate representations left out (distinctRepresentations),
 * which Apollo's executor sends with them, is answered from the lean run's answer, each entity
 * and its errors repeated (answerWithDuplicates). No subgraph is asked twice: those responses
 * already hold fields the lean run merged into them, and executeQueryPlan merges the same
 * fields again, to the same values — a second answer could differ (a subgraph failing,
 * restarting, its data changed), and the answer would show the first one's values beside the
 * second one's errors.
 */
import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isLeafType,
  isListType,
  isSpecifiedScalarType,
  isNonNullType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type GraphQLCompositeType,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type FieldNode,
  visit,
  BREAK,
} from 'graphql';

/** Thrown inside a run to abandon it; never escapes `execute`. */
export class FallBack extends Error {}
export const fallBack = (): never => {
  throw new FallBack();
};

export type Data = Record<string, unknown>;
export type Shape = (value: unknown) => unknown;
type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** Either the answer's data, or the services executeQueryPlan must use to answer instead. */
export type LeanResult = { data: Data } | { fallBack: ServiceMap };

export interface LeanQuery {
  execute(
    variables: Record<string, unknown>,
    context: object,
    services: ServiceMap,
  ): Promise<LeanResult>;
}

/** A lean executor for this query and plan, or null when the hot path must use Apollo's. */
export function compileLeanQuery(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  queryPlan: QueryPlan,
): LeanQuery | null {
  const queryType = schema.getQueryType();
  if (operation.operation !== 'query' || !queryType || !isCovered(operation, fragments))
    return null;
  const root = queryPlan.node;
  if (root?.kind === 'Subscription' || (root && !isCoveredPlan(root, schema))) return null;
  const shapeRoot = compileObject(schema, queryType, [operation.selectionSet], fragments);

  return {
    async execute(variables, context, services) {
      const data: Data = {};
      const run: Run = { variables, context, services, sent: [], abandoned: false, settled: 0 };
      try {
        if (root) await runNode(root, data, run);
        return { data: shapeRoot(data) as Data };
      } catch (error) {
        if (error instanceof FallBack) return { fallBack: replaying(run) };
        throw error;
      }
    },
  };
}

/** No directives (@skip, @include, @defer…) and no introspection beyond __typename. */
export function isCovered(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  let covered = true;
  for (const node of [operation, ...Object.values(fragments)]) {
    visit(node.selectionSet, {
      Directive() {
        covered = false;
        return BREAK;
      },
      Field(field) {
        if (field.name.value.startsWith('__') && field.name.value !== '__typename') {
          covered = false;
          return BREAK;
        }
        return undefined;
      },
    });
  }
  return covered;
}

/** Plain fetches only, whose representations select by concrete type. */
export function isCoveredPlan(node: PlanNode, schema: GraphQLSchema): boolean {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every((child) => isCoveredPlan(child, schema));
    case 'Flatten':
      return (
        node.path.every((part) => typeof part === 'string') && isCoveredPlan(node.node, schema)
      );
    case 'Fetch':
      return (
        !node.inputRewrites?.length &&
        !node.outputRewrites?.length &&
        !node.contextRewrites?.length &&
        (node.requires ?? []).every(
          (selection) =>
            selection.kind === Kind.FIELD ||
            isObjectType(schema.getType(selection.typeCondition ?? '')),
        )
      );
    default:
      return false;
  }
}

interface Run {
  variables: Record<string, unknown>;
  context: object;
  services: ServiceMap;
  /** Every subgraph request sent, with its (possibly failed) response. */
  sent: SentFetch[];
  /** Set when a parallel branch gave up: the others send nothing more. */
  abandoned: boolean;
  /** How many of the requests sent have been answered (or have failed). */
  settled: number;
}

interface SentFetch {
  serviceName: string;
  query: string;
  variables: Data;
  response: Promise<Response>;
  /** Which answer it was, in the order the answers came (0 first). */
  settledAs?: number;
}

const fetchKey = (serviceName: string, query: string | undefined, variables: unknown) =>
  `${serviceName}\n${query}\n${JSON.stringify(variables)}`;

/**
 * The run's services, answering a request the run already sent with what it received. The
 * requests are keyed only now, on the rare fallback: serializing every fetch's variables (the
 * representations of a whole page) on the success path would be pure cost.
 *
 * The answers are handed over in the order they came: executeQueryPlan lists the errors of
 * parallel fetches as their answers arrive, so answers all ready at once would list them in the
 * plan's order instead. The n-th answer is given after n + 1 turns of the event loop, counted
 * from the first replayed request, and executeQueryPlan takes in each answer (and sends what
 * depends on it) within one turn.
 */
function replaying(run: Run): ServiceMap {
  const sent = new Map(
    run.sent.map((entry) => [fetchKey(entry.serviceName, entry.query, entry.variables), entry]),
  );
  const turns: Promise<void>[] = [];
  const afterTurn = (n: number): Promise<void> => {
    while (turns.length <= n) {
      const previous = turns.at(-1) ?? Promise.resolve();
      turns.push(previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))));
    }
    return turns[n]!;
  };
  const services = Object.create(null) as ServiceMap;
  for (const [name, service] of Object.entries(run.services)) {
    services[name] = {
      process: (options) => {
        const { query, variables = {} } = options.request;
        const entry = sent.get(fetchKey(name, query, variables));
        if (entry) return afterTurn(entry.settledAs!).then(() => entry.response);
        // An entity fetch the lean run sent with each distinct representation once.
        const distinct = withDistinctRepresentations(variables);
        const deduplicated = distinct && sent.get(fetchKey(name, query, distinct.variables));
        if (!deduplicated) return service.process(options);
        return afterTurn(deduplicated.settledAs!)
          .then(() => deduplicated.response)
          .then((response) =>
            answersEachDistinct(response, distinct.count)
              ? answerWithDuplicates(response, distinct.indexes)
              : service.process(options),
          );
      },
    };
  }
  return services;
}

/**
 * An entity fetch's variables with each distinct representation once (as the lean run sends
 * them: distinctRepresentations), and the index of each representation among those; null when
 * the fetch has no duplicate.
 */
function withDistinctRepresentations(
  variables: Record<string, unknown>,
): { variables: Record<string, unknown>; indexes: number[]; count: number } | null {
  const all = variables.representations;
  if (!Array.isArray(all)) return null;
  const representations: unknown[] = [];
  const indexByJson = new Map<string, number>();
  const indexes = all.map((representation) =>
    distinctIndex(representations, indexByJson, representation),
  );
  if (representations.length === all.length) return null;
  return { variables: { ...variables, representations }, indexes, count: representations.length };
}

/**
 * Whether an answer gives one entity per representation asked: one that does not is the
 * subgraph's fault, which only the subgraph's own answer to the fetch with duplicates shows as
 * Apollo's executor would.
 */
function answersEachDistinct(response: Response, count: number): boolean {
  const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  return response.data == null || (Array.isArray(entities) && entities.length === count);
}

async function runNode(node: PlanNode, data: unknown, run: Run): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runNode(child, data, run);
      return;
    case 'Parallel': {
      // A branch that gives up stops its siblings from sending more, and the run ends only once
      // every branch has: what they sent is then all in the fallback's replay, and nothing goes
      // on sending requests in the background after the answer.
      const branches = node.nodes.map((child) =>
        runNode(child, data, run).catch((error: unknown) => {
          run.abandoned = true;
          throw error;
        }),
      );
      const failure = (await Promise.allSettled(branches)).find(
        (outcome) => outcome.status === 'rejected',
      );
      if (failure) throw failure.reason;
      return;
    }
    case 'Flatten': {
      const inner = flatten(data, node.path as string[], 0);
      if (inner != null) await runNode(node.node, inner, run);
      return;
    }
    case 'Fetch':
      return runFetch(node, data, run);
    default:
      fallBack();
  }
}

/** The values at `path` under `value`, lists ("@") flattened, as executeQueryPlan walks them. */
export function flatten(value: unknown, path: string[], from: number): unknown {
  if (from === path.length || value == null) return value;
  const part = path[from]!;
  if (part === '@') {
    if (!Array.isArray(value)) return fallBack();
    return value.flatMap((element) => flatten(element, path, from + 1) as unknown[]);
  }
  if (Array.isArray(value) || typeof value !== 'object') return fallBack();
  return flatten(Object.hasOwn(value, part) ? (value as Data)[part] : undefined, path, from + 1);
}

async function runFetch(fetch: FetchNode, data: unknown, run: Run): Promise<void> {
  const entities = (Array.isArray(data) ? data.filter((e) => e != null) : [data]) as Data[];
  if (entities.length === 0) return;
  const variables: Record<string, unknown> = {};
  for (const name of fetch.variableUsages ?? []) {
    if (run.variables[name] !== undefined) variables[name] = run.variables[name];
  }
  if (!fetch.requires) {
    const received = await send(fetch, variables, run);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const { representations, indexes } = distinctRepresentations(entities, fetch.requires);
  if (representations.length === 0) return;
  const received = (await send(fetch, { ...variables, representations }, run))._entities;
  if (!Array.isArray(received) || received.length !== representations.length) return fallBack();
  entities.forEach((entity, i) => {
    if (indexes[i] !== -1) deepMerge(entity, received[indexes[i]!] as Data);
  });
}

/**
 * The representations an entity fetch sends for `entities`, each distinct one once — a page of
 * 50 deployments names a handful of nodes and users — and, per entity, the index of its own
 * (-1: it has none, a `requires` field being absent). A subgraph resolves equal representations
 * alike within a request, so entities sharing one share its answer (shaping copies it out).
 * Apollo's executor sends one per entity: a fallback's fetch with duplicates is then not one
 * the lean run sent, and goes to the subgraph again — only on the rare fallback.
 */
export function distinctRepresentations(
  entities: readonly Data[],
  requires: readonly QueryPlanSelectionNode[],
): { representations: Data[]; indexes: number[] } {
  const representations: Data[] = [];
  const indexByJson = new Map<string, number>();
  const indexes = entities.map((entity) => {
    const representation = select(entity, requires);
    return representation?.__typename
      ? distinctIndex(representations, indexByJson, representation)
      : -1;
  });
  return { representations, indexes };
}

/**
 * The index of `representation` in `representations`, appended if no equal one (by its JSON)
 * is there yet; `indexByJson` remembers where each went.
 */
export function distinctIndex<T>(
  representations: T[],
  indexByJson: Map<string, number>,
  representation: T,
): number {
  const json = JSON.stringify(representation);
  let index = indexByJson.get(json);
  if (index === undefined) {
    index = representations.push(representation) - 1;
    indexByJson.set(json, index);
  }
  return index;
}

/**
 * The answer an entity fetch gets when its representation i is representation `indexes[i]` of
 * the fetch `response` answered: each entity as often as it is asked for, and an error about an
 * entity once for each time it is, listed in entity order as a subgraph lists them (an error
 * about no entity in particular first).
 */
export function answerWithDuplicates(response: Response, indexes: readonly number[]): Response {
  const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const owners = new Map<number, number[]>();
  indexes.forEach((answered, own) => owners.set(answered, [...(owners.get(answered) ?? []), own]));
  const errors = (response.errors ?? [])
    .flatMap((error) => {
      const [head, index, ...tail] = error.path ?? [];
      if (head !== '_entities' || typeof index !== 'number') return [{ own: -1, error }];
      return (owners.get(index) ?? []).map((own) => ({
        own,
        error: { ...error, path: [head, own, ...tail] },
      }));
    })
    .sort((a, b) => a.own - b.own) // stable: one entity's errors keep their order
    .map(({ error }) => error);
  const { errors: _all, ...rest } = response;
  return {
    ...rest,
    data: Array.isArray(entities)
      ? { ...response.data, _entities: indexes.map((answered) => entities[answered] ?? null) }
      : response.data,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

async function send(fetch: FetchNode, variables: Data, run: Run): Promise<Data> {
  const service: GraphQLDataSource | undefined = run.services[fetch.serviceName];
  if (!service || run.abandoned) return fallBack();
  const pending = service.process({
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    context: run.context,
  } as Parameters<GraphQLDataSource['process']>[0]);
  const sent: SentFetch = {
    serviceName: fetch.serviceName,
    query: fetch.operation,
    variables,
    response: pending,
  };
  run.sent.push(sent);
  let response;
  try {
    // Awaited at once, so a failure is handled here (and replayed to executeQueryPlan later).
    response = await pending;
  } catch {
    return fallBack();
  } finally {
    sent.settledAs = run.settled++;
  }
  if (response.errors?.length || !response.data) return fallBack();
  return response.data;
}

/** An entity's representation: the fields its `requires` selection names (null if one lacks). */
function select(source: Data, selections: readonly QueryPlanSelectionNode[]): Data | null {
  const result: Data = {};
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias ?? selection.name;
      const value = Object.hasOwn(source, name) ? source[name] : undefined;
      if (value === undefined) return null;
      const inner = selection.selections;
      result[name] =
        inner && value !== null
          ? Array.isArray(value)
            ? value.map((element: Data | null) =>
                element === null ? null : select(element, inner),
              )
            : select(value as Data, inner)
          : value;
    } else if (selection.typeCondition === source.__typename) {
      // Compiled plans' type conditions are concrete types (isCoveredPlan).
      deepMerge(result, select(source, selection.selections));
    }
  }
  return result;
}

export function deepMerge(target: Data, source: Data | null | undefined): void {
  if (source == null) return;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined || key === '__proto__') continue;
    const existing = target[key];
    if (existing && typeof value === 'object' && value !== null && typeof existing === 'object')
      deepMerge(existing as Data, value as Data);
    else target[key] = value;
  }
}

/** How one requested field of an object is copied out, decided once per runtime type. */
interface FieldShape {
  responseName: string;
  /** `__typename`: the runtime type's name, not a value from the data. */
  typename: boolean;
  /** A null (or missing) value is a nullability violation: the run falls back. */
  nonNull: boolean;
  /** A leaf's check of its value (see isValidLeaf); null for a list or composite field. */
  leaf: LeafCheck | null;
  /** A list or composite field's shaping of its non-null value. */
  shape: Shape | null;
}

/**
 * A function copying an object's requested fields out of the merged subgraph data. Fields are
 * collected per runtime type (its __typename) the first time that type is met. Leaf fields —
 * most of a page — are checked in this loop rather than through a function each: on the
 * dashboard that is a few thousand calls fewer per request.
 */
export function compileObject(
  schema: GraphQLSchema,
  staticType: GraphQLCompositeType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): Shape {
  const byType = new Map<string, FieldShape[]>();
  const fieldsOf = (type: GraphQLObjectType) => {
    let fields = byType.get(type.name);
    if (!fields) {
      const grouped = new Map<string, FieldNode[]>();
      collectFields(schema, type, selectionSets, fragments, grouped);
      fields = [...grouped].map(([responseName, nodes]) => {
        const name = nodes[0]!.name.value;
        const shape: FieldShape = {
          responseName,
          typename: name === '__typename',
          nonNull: false,
          leaf: null,
          shape: null,
        };
        if (shape.typename) return shape;
        const definition = type.getFields()[name];
        if (!definition) return fallBack();
        const selections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
        const fieldType = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
        shape.nonNull = fieldType !== definition.type;
        if (isLeafType(fieldType)) shape.leaf = leafCheck(fieldType);
        else shape.shape = compileValue(schema, fieldType, selections, fragments);
        return shape;
      });
      byType.set(type.name, fields);
    }
    return fields;
  };
  return (value) => {
    if (typeof value !== 'object' || Array.isArray(value)) return fallBack();
    const input = value as Data;
    const typename = input.__typename;
    const runtime =
      typeof typename === 'string'
        ? schema.getType(typename)
        : isObjectType(staticType) && staticType;
    if (!isObjectType(runtime)) return fallBack();
    const output: Data = {};
    for (const field of fieldsOf(runtime)) {
      const { responseName } = field;
      if (field.typename) {
        output[responseName] = runtime.name;
        continue;
      }
      const fieldValue = Object.hasOwn(input, responseName) ? input[responseName] : undefined;
      if (fieldValue == null) {
        if (field.nonNull) return fallBack();
        output[responseName] = null;
      } else if (field.leaf) {
        if (!isValidLeaf(field.leaf, fieldValue)) return fallBack();
        output[responseName] = fieldValue;
      } else {
        output[responseName] = field.shape!(fieldValue);
      }
    }
    return output;
  };
}

function compileValue(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  selections: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): Shape {
  if (isNonNullType(type)) {
    const inner = compileValue(schema, type.ofType, selections, fragments);
    return (value) => (value == null ? fallBack() : inner(value));
  }
  if (isListType(type)) {
    const element = compileValue(schema, type.ofType, selections, fragments);
    return (value) =>
      value == null ? null : Array.isArray(value) ? value.map(element) : fallBack();
  }
  const named = getNamedType(type);
  if (isCompositeType(named)) {
    const object = compileObject(schema, named, selections, fragments);
    return (value) => (value == null ? null : object(value));
  }
  const check = leafCheck(named);
  return (value) => (value == null ? null : isValidLeaf(check, value) ? value : fallBack());
}

/** Which test a leaf value must pass; `names` are an enum's values in the API schema. */
type LeafCheck =
  | { kind: 'any' | 'boolean' | 'float' | 'int' | 'id' | 'string' }
  | { kind: 'enum'; names: ReadonlySet<string> };

function leafCheck(type: GraphQLLeafType): LeafCheck {
  if (isEnumType(type))
    return { kind: 'enum', names: new Set(type.getValues().map((value) => value.name)) };
  if (!isSpecifiedScalarType(type)) return { kind: 'any' };
  switch (type.name) {
    case 'Boolean':
      return { kind: 'boolean' };
    case 'Float':
      return { kind: 'float' };
    case 'Int':
      return { kind: 'int' };
    case 'ID':
      return { kind: 'id' };
    default:
      return { kind: 'string' };
  }
}

/**
 * Apollo's test for Int and ID values sent as numbers: their decimal string is an integer, which
 * rules out fractions and, written in exponent form from 1e21 on, huge magnitudes.
 */
const isInteger = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21;

/**
 * Whether a subgraph's (non-null) leaf value is one the client-facing schema can return, as
 * Apollo's result shaping (isValidLeafValue) decides: an enum value the API schema hides
 * (@inaccessible) is not, nor a string for an Int. Apollo answers those with null and a
 * valueCompletion note; the lean executor falls back so that it does exactly that.
 */
function isValidLeaf(check: LeafCheck, value: unknown): boolean {
  switch (check.kind) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return isInteger(value);
    case 'id':
      return typeof value === 'string' || isInteger(value);
    case 'enum':
      return typeof value === 'string' && check.names.has(value);
  }
}

function collectFields(
  schema: GraphQLSchema,
  runtime: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  into: Map<string, FieldNode[]>,
): void {
  const applies = (condition: string | undefined) => {
    if (!condition || condition === runtime.name) return true;
    const type = schema.getType(condition);
    return !!type && isAbstractType(type) && schema.isSubType(type, runtime);
  };
  const selections = selectionSets.flatMap((selectionSet) => selectionSet.selections);
  // Apollo shapes the answer from its normalized operation, where inline fragments of one type
  // condition are merged into the first of them: their fields come out at its place.
  const mergedConditions = new Set<string | undefined>();
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = selection.alias?.value ?? selection.name.value;
      const nodes = into.get(responseName);
      if (nodes) nodes.push(selection);
      else into.set(responseName, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (mergedConditions.has(condition)) continue;
      mergedConditions.add(condition);
      if (applies(condition)) {
        const merged = selections.filter(
          (other): other is InlineFragmentNode =>
            other.kind === Kind.INLINE_FRAGMENT && other.typeCondition?.name.value === condition,
        );
        collectFields(
          schema,
          runtime,
          merged.map((fragment) => fragment.selectionSet),
          fragments,
          into,
        );
      }
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && applies(fragment.typeCondition.name.value))
        collectFields(schema, runtime, [fragment.selectionSet], fragments, into);
    }
  }
}
