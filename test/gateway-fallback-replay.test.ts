/**
 * When the lean executor falls back to Apollo's executor, that run must be answered from the
 * subgraph answers the lean run received, never by asking a subgraph again. The lean run merges
 * what it received into those answers as it goes: an entity fetch sent again could answer
 * otherwise (a subgraph failing, restarting, its data changed), and the answer would then hold
 * the first answer's fields beside the second one's errors for them — an answer neither path
 * gives. The lean run sends an entity fetch with each distinct representation once, where
 * Apollo's executor sends one per entity: the fallback's fetch with duplicates is answered from
 * the lean run's.
 */
import { GraphQLError, parse } from 'graphql';
import { startComposedSubgraphs, type ComposedSubgraphs } from './fixtures/throwaway-subgraphs';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import type { Gateway } from '../gateway/server';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/** Three books by two authors: the entity fetch for their authors has a duplicate. */
const shelf = {
  name: 'shelf',
  typeDefs: parse(`${LINK}
    type Author @key(fields: "id") { id: ID! }
    type Book { title: String! author: Author! }
    type Query { books: [Book!]! }`),
  resolvers: {
    Query: {
      books: () => [
        { title: 'Dune', author: { id: 'a1' } },
        { title: 'Solaris', author: { id: 'a2' } },
        { title: 'Children of Dune', author: { id: 'a1' } },
      ],
    },
  },
};

/** Resolves `limit` authors, then fails every later one, as a subgraph going down does. */
let limit = Infinity;
let answered = 0;
const people = {
  name: 'people',
  typeDefs: parse(`${LINK}
    type Author @key(fields: "id") { id: ID! name: String! born: Int }`),
  resolvers: {
    Author: {
      __resolveReference: (reference: { id: string }) => {
        answered += 1;
        if (answered > limit) throw new GraphQLError('The people subgraph is going down.');
        return reference;
      },
      name: ({ id }: { id: string }) => ({ a1: 'Herbert', a2: 'Lem' })[id],
      born: ({ id }: { id: string }) => {
        throw new GraphQLError(`The records of ${id} are sealed.`);
      },
    },
    Query: {},
  },
};

/** A field fetched beside `name` whose error makes the lean run fall back. */
const awards = {
  name: 'awards',
  typeDefs: parse(`${LINK}
    type Author @key(fields: "id") { id: ID! awards: Int }`),
  resolvers: {
    Author: {
      awards: () => {
        throw new GraphQLError('The awards are being counted.', {
          extensions: { code: 'SERVICE_BUSY' },
        });
      },
    },
  },
};

let subgraphs: ComposedSubgraphs;
let gateway: Running<Gateway>;

beforeAll(async () => {
  subgraphs = await startComposedSubgraphs([shelf, people, awards]);
  gateway = await startGateway(testGatewayConfig({ supergraphPath: subgraphs.writeSupergraph() }));
});
afterAll(async () => {
  await gateway?.stop();
  await subgraphs?.stop();
});

async function query(document = '{ books { title author { name awards } } }'): Promise<string> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: document }),
  });
  return response.text();
}

const entityFetches = () =>
  subgraphs.received.people!.filter(({ query }) => query?.includes('_entities')).length;

it('answers a fallback from what the lean run received, asking no subgraph twice', async () => {
  const pipeline = await query(); // Apollo Server's pipeline: the document is not known yet
  expect(JSON.parse(pipeline)).toMatchObject({
    data: {
      books: [
        { title: 'Dune', author: { name: 'Herbert', awards: null } },
        { title: 'Solaris', author: { name: 'Lem', awards: null } },
        { title: 'Children of Dune', author: { name: 'Herbert', awards: null } },
      ],
    },
  });
  const before = entityFetches();
  // From now on the people subgraph resolves two more authors: the lean run's fetch of the two
  // distinct ones. Asked again, it fails.
  limit = answered + 2;
  expect(await query()).toBe(pipeline);
  expect(entityFetches() - before).toBe(1);
});

it('repeats the errors of a duplicate entity as the subgraph would, in entity order', async () => {
  limit = Infinity;
  const document = '{ books { title author { name born } } }';
  const pipeline = await query(document);
  expect(JSON.parse(pipeline).errors.map(({ path }: { path: unknown[] }) => path)).toEqual([
    ['books', 0, 'author', 'born'],
    ['books', 1, 'author', 'born'],
    ['books', 2, 'author', 'born'],
  ]);
  const before = entityFetches();
  expect(await query(document)).toBe(pipeline);
  expect(entityFetches() - before).toBe(1);
});
