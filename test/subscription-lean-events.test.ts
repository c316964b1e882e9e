/**
 * The lean completion of subscription events (runSubscriptionEvents, one `rest` run per window)
 * against the general path (runSubscriptionEvent, executeQueryPlan per event), over many
 * generated events and real throwaway subgraphs: wherever the lean path answers, its answer is
 * the general path's; where the entity subgraph cannot be reached it says so for exactly the
 * events whose general run failed on it; everything else (errors in the event or the entity
 * answer, values the API schema hides, nulls it forbids) it hands back to the general path.
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import type { PlanNode } from '@apollo/query-planner';
import { GraphQLError, parse } from 'graphql';
import type { ExecutionResult } from 'graphql-ws';
import { createSubgraphClient, type SubgraphClient } from '../gateway/data-source';
import { loadGatewayConfig } from '../gateway/env';
import { createExecution, type Execution } from '../gateway/execution';
import { createSubscriptionPlanner, type SubscriptionPlan } from '../gateway/subscriptions/planner';
import { createLogger } from '../platform/logger';
import { startComposedSubgraphs, type ComposedSubgraphs } from './fixtures/throwaway-subgraphs';
import { LOG_LEVEL } from './support/env';
import { Random } from './faults/schedule';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])';

/** The people subgraph answers an entity according to its id's prefix. */
const people = {
  name: 'people',
  typeDefs: parse(`${LINK}
    enum Role { ADMIN MEMBER SECRET @inaccessible }
    type Person @key(fields: "id") { id: ID! name: String! role: Role nickname: String }`),
  resolvers: {
    Person: {
      __resolveReference: ({ id }: { id: string }) => {
        if (id.startsWith('forbidden'))
          throw new GraphQLError('Not yours.', { extensions: { code: 'FORBIDDEN' } });
        if (id.startsWith('crash')) throw new Error('boom');
        if (id.startsWith('gone')) return null;
        return {
          id,
          name: `Name of ${id}`,
          role: id.startsWith('secret') ? 'SECRET' : id.length % 2 ? 'ADMIN' : 'MEMBER',
          nickname: id.length % 3 ? null : `nick ${id}`,
        };
      },
    },
  },
};

/** Only planned against: the events are generated, as the subgraph's upstream would send them. */
const posts = {
  name: 'posts',
  typeDefs: parse(`${LINK}
    enum Kind { NOTE ALERT DRAFT @inaccessible }
    type Person @key(fields: "id", resolvable: false) { id: ID! }
    type Post { id: ID! title: String kind: Kind! author: Person coauthors: [Person!] }
    type Query { post: Post }
    type Subscription { postAdded(topic: String): Post! }`),
  resolvers: {
    Query: { post: () => null },
    Subscription: { postAdded: { subscribe: () => null } },
  },
};

const QUERIES: { query: string; root: string }[] = [
  {
    query: 'subscription { postAdded { id title kind author { id name role nickname } } }',
    root: 'postAdded',
  },
  {
    query: `subscription ($t: String) { p: postAdded(topic: $t) {
      __typename id ...on Post { heading: title }
      author { __typename who: name ...Role }
      coauthors { id name }
    } }
    fragment Role on Person { role }`,
    root: 'p',
  },
];

let subgraphs: ComposedSubgraphs;
const clients = new Map<string, SubgraphClient>();
let execution: Execution;
let planner: ReturnType<typeof createSubscriptionPlanner>;

beforeAll(async () => {
  subgraphs = await startComposedSubgraphs([posts, people]);
  for (const [name, url] of Object.entries(subgraphs.urls))
    clients.set(
      name,
      createSubgraphClient(name, url, 5_000, loadGatewayConfig({}).subgraphResilience),
    );
  execution = createExecution(createLogger({ name: 'test', level: LOG_LEVEL }));
  planner = createSubscriptionPlanner(execution.load(subgraphs.supergraphSdl, clients));
});
afterAll(async () => {
  await Promise.all([...clients.values()].map((client) => client.close()));
  await subgraphs?.stop();
});

const PERSON_IDS = ['u1', 'u22', 'u333', 'u4444', 'u1', 'u22', 'secret-1', 'gone-1'];
/** People whose fetch fails the whole `_entities` answer: rarer, or no window would be clean. */
const FAILING_IDS = ['forbidden-1', 'crash-1'];

/** An event as the posts subgraph would send it for the plan's primary fetch, with oddities. */
function generateEvent(rand: Random, root: string, n: number): ExecutionResult {
  const person = () => ({
    __typename: 'Person',
    id: rand.next() < 0.02 ? rand.pick(FAILING_IDS) : rand.pick(PERSON_IDS),
  });
  const post: Record<string, unknown> = {
    __typename: 'Post',
    id: `post-${n}`,
    title: rand.next() < 0.1 ? null : `Title ${n}`,
    heading: rand.next() < 0.1 ? null : `Title ${n}`,
    kind: rand.pick(['NOTE', 'ALERT', 'NOTE', 'ALERT', 'DRAFT', 42]),
    author: rand.next() < 0.1 ? null : person(),
    coauthors:
      rand.next() < 0.2 ? null : Array.from({ length: Math.floor(rand.next() * 3) }, person),
  };
  if (rand.next() < 0.03) delete post.id;
  const oddity = rand.next();
  if (oddity < 0.03) return { data: null, errors: [new GraphQLError('upstream failed')] };
  if (oddity < 0.05) return { data: { [root]: null } };
  return { data: { [root]: post }, extensions: { resumeCursor: `c${n}` } };
}

/** The Fetch nodes of a plan: the lean path sends each at most once per window. */
const fetches = (node: PlanNode): number =>
  node.kind === 'Fetch'
    ? 1
    : node.kind === 'Flatten'
      ? fetches(node.node)
      : 'nodes' in node
        ? node.nodes.reduce((sum, child) => sum + fetches(child), 0)
        : 0;

const postOf = (event: ExecutionResult, root: string) =>
  (event.data as Record<string, Record<string, unknown> | null> | null)?.[root];

/** The ids of an event's author and coauthors. */
function peopleOf(event: ExecutionResult, root: string): string[] {
  const post = postOf(event, root);
  return [post?.author, ...((post?.coauthors as unknown[] | null) ?? [])]
    .filter(Boolean)
    .map((person) => (person as { id: string }).id);
}

/** The subgraph clients with people unreachable while `down` says so, noting each refusal. */
function wrapping(down: () => boolean, refused: { count: number }) {
  return (name: string, service: GraphQLDataSource): GraphQLDataSource => ({
    process(options) {
      if (name === 'people' && down()) {
        refused.count += 1;
        return Promise.reject(new Error('connect ECONNREFUSED'));
      }
      return service.process(options);
    },
  });
}

it.each(QUERIES.map((q, i) => [i, q] as const))(
  'answers like executeQueryPlan for generated events (query %i)',
  async (_index, { query, root }) => {
    const plan = planner.plan(query, undefined) as SubscriptionPlan;
    expect(plan.rest).toBeDefined();
    const rand = new Random(7 + query.length);
    const request = {
      query,
      operationName: undefined,
      variables: { t: 'general' },
      context: { forwarded: { requestId: 'r1', clientAddress: '127.0.0.1' } },
    };
    const counts = { lean: 0, unreachable: 0, fallBack: 0 };
    for (let n = 0, windowIndex = 0; n < 600; windowIndex++) {
      const size = 1 + Math.floor(rand.next() * 20);
      const first = n;
      const events = Array.from({ length: size }, (_, k) => generateEvent(rand, root, first + k));
      n += size;
      const down = windowIndex % 5 === 4; // every fifth window: people unreachable
      const snapshot = JSON.stringify(events);

      const leanRefused = { count: 0 };
      const lean = await execution.runSubscriptionEvents(
        plan,
        request,
        events,
        wrapping(() => down, leanRefused),
      )!;
      // The events themselves are left as they came, for the general path.
      expect(JSON.stringify(events)).toBe(snapshot);
      expect(lean).toHaveLength(events.length);

      // A person the subgraph refuses or fails on fails its whole `_entities` answer (its error
      // has no entity index), so then every event of the window goes the general path.
      const failingInWindow = events.some((event) =>
        peopleOf(event, root).some((id) => /^(forbidden|crash)/.test(id)),
      );
      for (const [i, event] of events.entries()) {
        const refused = { count: 0 };
        const general = await execution.runSubscriptionEvent(
          plan,
          request,
          event,
          wrapping(() => down, refused),
        );
        const outcome = lean[i]!;
        if ('data' in outcome) {
          counts.lean += 1;
          expect({ event: first + i, ...outcome }).toEqual({ event: first + i, ...general });
          expect(refused.count).toBe(0);
        } else if ('unreachable' in outcome) {
          counts.unreachable += 1;
          expect(outcome.unreachable).toBe('people');
          expect(refused.count).toBeGreaterThan(0); // the general path failed on it too
        } else {
          counts.fallBack += 1;
        }
        // A plain event whose people are all answerable never needs the general path.
        const post = postOf(event, root);
        const plain =
          !down &&
          !failingInWindow &&
          post?.id &&
          ['NOTE', 'ALERT'].includes(post.kind as string) &&
          peopleOf(event, root).every((id) => /^u\d+$/.test(id));
        if (plain && !('data' in outcome))
          throw new Error(`plain event fell back: ${JSON.stringify({ event, general })}`);
      }
      if (down) expect(leanRefused.count).toBeLessThanOrEqual(fetches(plan.rest!)); // one each
    }
    // Every kind of outcome was exercised.
    expect(counts.lean).toBeGreaterThan(50);
    expect(counts.unreachable).toBeGreaterThan(10);
    expect(counts.fallBack).toBeGreaterThan(10);
  },
);

it('sends one entity request per window, each representation once', async () => {
  const { query, root } = QUERIES[0]!;
  const plan = planner.plan(query, undefined) as SubscriptionPlan;
  const sent: unknown[][] = [];
  const events = Array.from({ length: 50 }, (_, n) => ({
    data: {
      [root]: {
        __typename: 'Post',
        id: `p${n}`,
        title: 't',
        kind: 'NOTE',
        author: { __typename: 'Person', id: `u${n % 3}` },
      },
    },
  }));
  const outcomes = await execution.runSubscriptionEvents(
    plan,
    {
      query,
      operationName: undefined,
      variables: {},
      context: { forwarded: { requestId: 'r2', clientAddress: '127.0.0.1' } },
    },
    events,
    (name, service) => ({
      process(options) {
        if (name === 'people') sent.push(options.request.variables!.representations as unknown[]);
        return service.process(options);
      },
    }),
  )!;
  expect(sent).toEqual([[0, 1, 2].map((n) => ({ __typename: 'Person', id: `u${n}` }))]);
  expect(outcomes.map((outcome) => ('data' in outcome ? 'data' : outcome))).toEqual(
    events.map(() => 'data'),
  );
});
