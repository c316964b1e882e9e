/**
 * The execution seam's entry for subscription events (runSubscriptionEvent), over real
 * throwaway subgraphs: the plan's primary fetch answers with the event itself, its `rest`
 * fetches fields owned by another subgraph over HTTP, and the result is shaped to the client's
 * selection (aliases, __typename) against the API schema.
 */
import { createSubgraphClient, type SubgraphClient } from '../gateway/data-source';
import { loadGatewayConfig } from '../gateway/env';
import { createExecution } from '../gateway/execution';
import { createSubscriptionPlanner, type SubscriptionPlan } from '../gateway/subscriptions/planner';
import { createLogger } from '../platform/logger';
import { startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { LOG_LEVEL } from './support/env';

let throwaway: Throwaway;
const clients = new Map<string, SubgraphClient>();

beforeAll(async () => {
  throwaway = await startThrowawaySubgraphs();
  for (const [name, url] of Object.entries(throwaway.urls))
    clients.set(
      name,
      createSubgraphClient(name, url, 5_000, loadGatewayConfig({}).subgraphResilience),
    );
});
afterAll(async () => {
  await Promise.all([...clients.values()].map((client) => client.close()));
  await throwaway?.stop();
});

it('runs a subscription plan for each event, fetching the rest from other subgraphs', async () => {
  const execution = createExecution(createLogger({ name: 'test', level: LOG_LEVEL }));
  const planner = createSubscriptionPlanner(execution.load(throwaway.supergraphSdl, clients));
  const query = 'subscription { added: bookAdded { __typename isbn title onLoan } }';
  const plan = planner.plan(query, undefined) as SubscriptionPlan;
  expect(plan.rest).toBeDefined();
  const request = {
    query,
    operationName: undefined,
    variables: {},
    context: { forwarded: { requestId: 'r1', clientAddress: '127.0.0.1' } },
  };
  const before = { ...throwaway.requests };
  const results = [];
  for (const isbn of ['978-0', '978-1']) {
    // What the upstream sends for the primary fetch (which keeps the client's alias).
    const event = { data: { added: { __typename: 'Book', isbn, title: `Book ${isbn}` } } };
    results.push(await execution.runSubscriptionEvent(plan, request, event));
  }
  expect(results).toEqual([
    { data: { added: { __typename: 'Book', isbn: '978-0', title: 'Book 978-0', onLoan: false } } },
    { data: { added: { __typename: 'Book', isbn: '978-1', title: 'Book 978-1', onLoan: true } } },
  ]);
  // The primary fetch is the event itself; only the rest goes out, once per event.
  expect(throwaway.requests.catalogue).toBe(before.catalogue);
  expect(throwaway.requests.loans).toBe(before.loans! + 2);
});
