/**
 * The gateway's subgraph client against a real loopback HTTP server that answers as a starting
 * subgraph does (503 with SUBGRAPH_UNAVAILABLE) or as a healthy one: a query's fetch is retried,
 * a mutation's never; the breaker opens after its failures, then fails fast without a request,
 * lets exactly one probe through once its open period is over, and closes on that probe's success.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubgraphClient, type SubgraphClient } from '../gateway/data-source';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';

const OPEN_MS = 300;
let server: Server;
let healthy = false;
let received = 0;
let client: SubgraphClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    received += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          healthy
            ? { data: { __typename: 'Query' } }
            : { errors: [{ message: 'Starting.', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] },
        ),
      );
    });
  });
  await listen(server, '127.0.0.1', 0);
  const { port } = server.address() as AddressInfo;
  client = createSubgraphClient('books', `http://127.0.0.1:${port}/graphql`, 2_000, {
    breaker: { failures: 5, windowMs: 30_000, openMs: OPEN_MS },
    retry: { attempts: 3, budgetMs: 5_000 },
  });
});
afterAll(async () => {
  await client?.close();
  if (server) await closeHttpServer(server);
});

const send = (query: string) =>
  client.process({ request: { query, variables: {} }, context: {} } as never);

it('retries a query, never a mutation; opens, fails fast, probes once and closes', async () => {
  // A query: three attempts, then the subgraph's own 503 answer.
  received = 0;
  const answer = await send('query Q__books__0 { __typename }');
  expect(received).toBe(3);
  expect(answer.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
  expect(client.breakerState()).toBe('closed');

  // A mutation: one attempt. That is the fifth failure in a row: the breaker opens.
  received = 0;
  await send('mutation M__books__0 { __typename }');
  await send('mutation M__books__0 { __typename }');
  expect(received).toBe(2);
  expect(client.breakerState()).toBe('open');

  // Open: no request reaches the subgraph.
  received = 0;
  await expect(send('query Q__books__0 { __typename }')).rejects.toMatchObject({
    message: expect.stringMatching(/circuit breaker is open/),
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'books' },
  });
  expect(received).toBe(0);

  // After the open period, one probe at a time; it fails (still starting): open again.
  await new Promise((resolve) => setTimeout(resolve, OPEN_MS + 50));
  expect(client.breakerState()).toBe('half-open');
  const [probe, concurrent] = await Promise.allSettled([
    send('query Q__books__0 { __typename }'),
    send('query Q__books__0 { __typename }'),
  ]);
  expect(received).toBe(1);
  expect(probe.status).toBe('fulfilled');
  expect(concurrent).toMatchObject({ status: 'rejected' });
  expect(client.breakerState()).toBe('open');

  // Back: the next probe succeeds and closes the breaker.
  healthy = true;
  await new Promise((resolve) => setTimeout(resolve, OPEN_MS + 50));
  expect(await send('query Q__books__0 { __typename }')).toEqual({
    data: { __typename: 'Query' },
  });
  expect(client.breakerState()).toBe('closed');
});
