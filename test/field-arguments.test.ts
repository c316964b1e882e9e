/**
 * Fields without arguments share one frozen empty object (subgraphs/kit/field-arguments.ts)
 * where graphql-js would build a new one: it must take effect, and no answer may change. The
 * deployments subgraph answers several hundred generated operations — every root field,
 * `_entities`, nested selections with arguments, fragments, directives, variables right and
 * wrong, mutations refused — from every kind of caller, each operation twice in turn: with the
 * sharing, as in production, and with graphql-js's own arguments. Status and body must match
 * byte for byte: data, null bubbling, error messages, paths, locations and masked codes.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLObjectType, GraphQLScalarType } from 'graphql';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLUnionType,
  isLeafType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
} from 'graphql';
import { buildSchema, graphql } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  NO_ARGUMENTS,
  shareEmptyArguments,
  sharesEmptyArguments,
} from '../subgraphs/kit/field-arguments';
import { loadSubgraphSdl } from '../subgraphs/kit/schema-file';
import { deploymentsSuite } from './support/deployments-suite';
import { createDeployment, runToEnd } from './support/deployments';
import type { Stack } from './support/stack';
import type { DeploymentsOrg } from './support/deployments';

let stack: Stack;
const { organization } = deploymentsSuite((started) => (stack = started));

let own: DeploymentsOrg;
let other: DeploymentsOrg;
const ids: Record<'deployment' | 'finished' | 'foreign' | 'node' | 'user', string> = {
  deployment: '',
  finished: '',
  foreign: '',
  node: '',
  user: '',
};

beforeAll(async () => {
  own = await organization();
  other = await organization();
  const url0 = stack.gatewayUrl;
  ids.deployment = (await createDeployment(url0, own.developer.headers, { nodeId: own.nodeId })).id;
  ids.finished = (
    await createDeployment(url0, own.developer.headers, {
      nodeId: own.nodeId,
      application: 'search-api',
    })
  ).id;
  // Both run to their end, so that they have events and no claim changes what either build sees.
  await runToEnd(url0, own.agent, ids.deployment, 'FAILED');
  await runToEnd(url0, own.agent, ids.finished);
  ids.foreign = (
    await createDeployment(url0, other.developer.headers, { nodeId: other.nodeId })
  ).id;
  ids.node = own.nodeId;
  ids.user = own.developer.user.id;
}, 60_000);

/** A small deterministic PRNG, so that a failure names an operation that can be run again. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** Random operations over the subgraph's own schema (`_entities` and `_service` included). */
function operationGenerator(seed: number) {
  const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSdl('deployments') });
  const random = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const chance = (p: number) => random() < p;

  const scalarValues = (type: GraphQLScalarType, argName: string): unknown[] => {
    switch (type.name) {
      case 'ID':
        return [ids.deployment, ids.finished, ids.foreign, ids.node, randomUUID(), 'not-an-id'];
      case 'Int':
        return argName === 'first' || argName === 'last' ? [1, 2, 3, 0, -1, 101, 1000] : [1, 0];
      case 'String':
        return argName === 'after' ? ['bogus', 'MQ', '', 'eyJpZCI6MX0'] : ['billing-api', 'x y'];
      case 'Boolean':
        return [true, false];
      default:
        return ['2026-01-01T00:00:00.000Z', 'yesterday'];
    }
  };

  /** A value for an input type, sometimes deliberately wrong (null for non-null, wrong kind). */
  const valueFor = (type: GraphQLInputType, argName: string): unknown => {
    if (type instanceof GraphQLNonNull) {
      return chance(0.05) ? null : valueFor(type.ofType, argName);
    }
    if (chance(0.08)) return null;
    if (type instanceof GraphQLList) {
      return Array.from({ length: Math.floor(random() * 3) }, () => valueFor(type.ofType, argName));
    }
    if (type instanceof GraphQLEnumType) {
      return chance(0.05) ? 'NOT_A_VALUE' : pick(type.getValues()).name;
    }
    if (type instanceof GraphQLInputObjectType) {
      const value: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        if (field.type instanceof GraphQLNonNull || chance(0.5)) {
          value[field.name] = valueFor(field.type, field.name);
        }
      }
      return value;
    }
    if (chance(0.03)) return { wrong: 'kind' };
    return pick(scalarValues(type as GraphQLScalarType, argName));
  };

  const literal = (value: unknown): string =>
    value === null
      ? 'null'
      : Array.isArray(value)
        ? `[${value.map(literal).join(', ')}]`
        : typeof value === 'object'
          ? `{ ${Object.entries(value as Record<string, unknown>)
              .map(([k, v]) => `${k}: ${literal(v)}`)
              .join(', ')} }`
          : JSON.stringify(value);

  /** Literals in the document for most arguments; variables (declared per operation) for some. */
  const argumentsFor = (
    field: GraphQLField<unknown, unknown>,
    variables: Record<string, unknown>,
    declarations: string[],
  ) => {
    const parts: string[] = [];
    for (const arg of field.args) {
      if (!(arg.type instanceof GraphQLNonNull) && chance(0.5)) continue;
      let value = valueFor(arg.type, arg.name);
      if (field.name === '_entities') value = representations();
      if (chance(0.35) || field.name === '_entities') {
        const name = `v${declarations.length}`;
        declarations.push(`$${name}: ${String(arg.type)}`);
        variables[name] = value;
        parts.push(`${arg.name}: $${name}`);
      } else if (!(getNamedType(arg.type) instanceof GraphQLEnumType)) {
        parts.push(`${arg.name}: ${literal(value)}`);
      } else {
        // Enum literals are bare names.
        parts.push(`${arg.name}: ${typeof value === 'string' ? value : literal(value)}`);
      }
    }
    return parts.length ? `(${parts.join(', ')})` : '';
  };

  const representations = () =>
    Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
      pick([
        { __typename: 'Deployment', id: ids.deployment },
        { __typename: 'Deployment', id: ids.foreign },
        { __typename: 'Deployment', id: randomUUID() },
        { __typename: 'Deployment', id: 'not-an-id' },
        { __typename: 'Node', id: ids.node },
        { __typename: 'User', id: ids.user },
        { __typename: 'Nope', id: ids.deployment },
        { id: ids.deployment },
      ]),
    );

  const selection = (
    type: GraphQLNamedType,
    depth: number,
    variables: Record<string, unknown>,
    declarations: string[],
  ): string => {
    if (type instanceof GraphQLUnionType) {
      const fragments = type
        .getTypes()
        .filter(() => chance(0.7))
        .map(
          (member) => `... on ${member.name} ${selection(member, depth, variables, declarations)}`,
        );
      return `{ __typename ${fragments.join(' ')} }`;
    }
    const objectType = type as GraphQLObjectType;
    const fields = Object.values(objectType.getFields()).filter(
      (field) => isLeafType(getNamedType(field.type)) || depth < 4,
    );
    const chosen = fields.filter(() => chance(0.5));
    const parts = chosen.map((field) => {
      const alias = chance(0.1) ? `a${Math.floor(random() * 1000)}: ` : '';
      const directive = chance(0.08)
        ? ` @${pick(['skip', 'include'])}(if: ${pick(['true', 'false'])})`
        : '';
      const head = `${alias}${field.name}${argumentsFor(field, variables, declarations)}${directive}`;
      const named = getNamedType(field.type);
      return isLeafType(named)
        ? head
        : `${head} ${selection(named, depth + 1, variables, declarations)}`;
    });
    if (chance(0.15)) parts.push('__typename');
    if (parts.length === 0) parts.push('__typename');
    return `{ ${parts.join(' ')} }`;
  };

  return (): Operation => {
    const queryType = schema.getQueryType()!;
    const field = pick(Object.values(queryType.getFields()));
    const variables: Record<string, unknown> = {};
    const declarations: string[] = [];
    const args = argumentsFor(field, variables, declarations);
    const named = getNamedType(field.type);
    const body = isLeafType(named)
      ? `${field.name}${args}`
      : `${field.name}${args} ${selection(named, 1, variables, declarations)}`;
    const header = declarations.length ? `(${declarations.join(', ')})` : '';
    // A named fragment now and then, so that fragment handling is compared too.
    const query = chance(0.25)
      ? `query Generated${header} { ...Root } fragment Root on Query { ${body} }`
      : `query Generated${header} { ${body} }`;
    return { query, variables };
  };
}

/** Hand-written cases the generator reaches rarely or never. */
const HAND_WRITTEN = (): Operation[] => [
  { query: '{ deployment(id: "x") { id events(first: -1) { edges { cursor } } } }' },
  {
    query:
      '{ deployments(first: 5) { edges { node { id status events(last: 2) { edges { node { id type status level message createdAt } } } } } } }',
  },
  {
    query:
      '{ deployments(first: 5) { edges { node { id events(first: -1) { edges { cursor } } } } } }',
  },
  {
    query: 'query ($first: Int) { deployments(first: $first) { edges { cursor } } }',
    variables: { first: 'many' },
  },
  { query: 'query ($id: ID!) { deployment(id: $id) { id } }', variables: {} },
  {
    query: 'query ($f: DeploymentFilter) { deployments(filter: $f) { edges { cursor } } }',
    variables: { f: { status: 'NOPE', extra: 1 } },
  },
  {
    query: 'query A { deploymentStats { queued } } query B { deploymentStats { running failed } }',
    operationName: 'B',
  },
  { query: 'query A { deploymentStats { queued } } query B { __typename }', operationName: 'C' },
  {
    query:
      'query ($skip: Boolean!) { deployment(id: "' +
      '00000000-0000-0000-0000-000000000000") { id } ...F @skip(if: $skip) } fragment F on Query { deploymentStats { queued } }',
    variables: { skip: false },
  },
  { query: '{ _service { sdl } }' },
  { query: '{ __schema { queryType { name } types { name kind } } }' },
  { query: '{ __type(name: "Deployment") { fields { name type { name kind } } } }' },
  {
    query:
      'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Deployment { id status node { id } triggeredBy { id } events(last: 3) { edges { node { id message } } } } ... on Node { id deployments(first: 2) { edges { node { id } } } } ... on User { id deployments { pageInfo { hasNextPage endCursor } } } } }',
    variables: {
      r: [
        { __typename: 'Deployment', id: ids.deployment },
        { __typename: 'Deployment', id: ids.foreign },
        { __typename: 'Node', id: ids.node },
        { __typename: 'User', id: ids.user },
      ],
    },
  },
  {
    query: 'mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
    variables: {
      input: { nodeId: randomUUID(), application: 'a', version: '1', environment: 'prod' },
    },
  },
  {
    query: 'mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
    variables: {
      input: { nodeId: ids.node, application: 'has space', version: '1', environment: 'prod' },
    },
  },
  { query: `mutation { cancelDeployment(id: "${ids.finished}x") { id } }` },
  { query: `mutation { rollbackDeployment(id: "${ids.deployment}") { id } }` },
  { query: 'mutation { claimDeployment { id } }' },
  {
    query:
      'mutation ($input: ReportDeploymentProgressInput!) { reportDeploymentProgress(input: $input) { id } }',
    variables: { input: { deploymentId: ids.foreign, logs: [{ message: '' }] } },
  },
];

async function answer(url: string, operation: Operation, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(operation),
  });
  return `${response.status} ${await response.text()}`;
}

const callers = (): [string, Record<string, string>][] => [
  ['anonymous', {}],
  ['viewer', own.viewer.headers],
  ['developer', own.developer.headers],
  ['admin', own.admin.headers],
  ['node agent', own.agent],
  ['other organization', other.admin.headers],
];

/**
 * Sends each operation as each caller twice, sharing empty arguments and then not (the subgraph
 * runs in this process); returns what differed.
 */
async function differences(operations: Operation[]) {
  const url = stack.subgraphs.deployments!.url;
  const found: { caller: string; operation: Operation; shared: string; ownObjects: string }[] = [];
  for (const operation of operations) {
    for (const [caller, headers] of callers()) {
      const shared = await answer(url, operation, headers);
      shareEmptyArguments(false);
      const ownObjects = await answer(url, operation, headers).finally(() => shareEmptyArguments());
      if (shared !== ownObjects) found.push({ caller, operation, shared, ownObjects });
    }
  }
  return found;
}

test('a field without arguments gets NO_ARGUMENTS; one with arguments its coerced values', async () => {
  // The subgraphs of the stack made the change when they were built.
  expect(sharesEmptyArguments()).toBe(true);
  const schema = buildSchema(
    'type Query { plain: Boolean page(first: Int = 10, after: String): String }',
  );
  const received: unknown[] = [];
  const rootValue = {
    plain: (args: unknown) => received.push(args) > 0,
    page: (args: { first: number; after?: string }) => (
      received.push(args),
      `${args.first} ${args.after}`
    ),
  };
  const result = await graphql({ schema, rootValue, source: '{ plain page(after: "x") }' });
  expect(result).toEqual({ data: { plain: true, page: '10 x' } });
  expect(received[0]).toBe(NO_ARGUMENTS);
  expect(Object.isFrozen(NO_ARGUMENTS) && Object.keys(NO_ARGUMENTS)).toEqual([]);
  expect(received[1]).toEqual({ first: 10, after: 'x' });
});

test('hand-written operations: same status and body with and without shared arguments', async () => {
  const operations = HAND_WRITTEN();
  expect(await differences(operations)).toEqual([]);
}, 120_000);

test('generated operations: same status and body with and without shared arguments', async () => {
  const next = operationGenerator(14);
  const operations = Array.from({ length: 300 }, next);
  // The generator must reach data, errors and null bubbling alike, or the comparison says little.
  const answers = await Promise.all(
    operations.map((operation) =>
      answer(stack.subgraphs.deployments!.url, operation, own.admin.headers),
    ),
  );
  expect(answers.filter((a) => a.includes('"errors"')).length).toBeGreaterThan(10);
  expect(answers.filter((a) => !a.includes('"errors"')).length).toBeGreaterThan(10);
  expect(answers.filter((a) => a.includes('"data":null')).length).toBeGreaterThan(0);
  expect(await differences(operations)).toEqual([]);
}, 600_000);
