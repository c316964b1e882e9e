/**
 * `/metrics` in Prometheus format: after traffic, the request, error, subgraph-fetch and
 * subscription series move.
 */
import * as perfHooks from 'node:perf_hooks';
import type { Gateway } from '../gateway/server';
import { createMetrics } from '../platform/metrics';
import { LIBRARIAN, startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { generateSigningKey, publicJwkOf } from '../platform/tokens';
import { bearer, errorCodes, graphql } from './support/graphql';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import { sseSubscribe } from './support/http-subscriptions';
import { collect, eventually, wsClient } from './support/subscriptions';

let throwaway: Throwaway;
let gateway: Running<Gateway>;

beforeAll(async () => {
  throwaway = await startThrowawaySubgraphs();
  const supergraphPath = throwaway.writeSupergraph();
  gateway = await startGateway(testGatewayConfig({ supergraphPath }));
});
afterAll(async () => {
  await gateway?.stop();
  await throwaway?.stop();
});

/** The value of one series (a metric name and its labels, in any order), 0 when absent. */
async function sample(
  name: string,
  labels: Record<string, string> = {},
  url = gateway.url,
): Promise<number> {
  const response = await fetch(url.replace('/graphql', '/metrics'));
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const wanted = { service: 'gateway', ...labels };
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (
      Object.keys(found).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([k, v]) => found[k] === v)
    ) {
      return Number(match[3]);
    }
  }
  return 0;
}

it('counts requests by operation, errors by code and subgraph fetches', async () => {
  const requests = () =>
    sample('opsgraph_graphql_request_duration_seconds_count', {
      operation: 'Books',
      type: 'query',
    });
  const errors = () => sample('opsgraph_graphql_errors_total', { code: 'BAD_USER_INPUT' });
  const fetches = () =>
    sample('opsgraph_subgraph_fetch_duration_seconds_count', { subgraph: 'catalogue' });
  const before = { requests: await requests(), errors: await errors(), fetches: await fetches() };

  for (let i = 0; i < 3; i++)
    await graphql(
      gateway.url,
      `
        query Books {
          books {
            isbn
            onLoan
          }
        }
      `,
    );
  await graphql(
    gateway.url,
    `
      {
        nope
      }
    `,
  );

  expect(await requests()).toBe(before.requests + 3);
  expect(await errors()).toBe(before.errors + 1);
  expect(await fetches()).toBe(before.fetches + 3);
  expect(await sample('opsgraph_process_cpu_seconds_total')).toBeGreaterThan(0);
});

it("counts a client's long operation names as `other`: labels stay small", async () => {
  const other = () =>
    sample('opsgraph_graphql_request_duration_seconds_count', {
      operation: 'other',
      type: 'query',
    });
  const before = await other();
  const exposition = async () => (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const size = (await exposition()).length;
  for (let i = 0; i < 5; i++)
    await graphql(gateway.url, `query Q${i}${'x'.repeat(10_000)} { __typename }`);
  expect(await other()).toBe(before + 5);
  expect((await exposition()).length - size).toBeLessThan(5_000);
});

it('counts errors by the code the client sees, refusals at the edge included', async () => {
  // With public keys, so a bad bearer token is refused at the edge.
  const publicKeys = [publicJwkOf(generateSigningKey('metrics'))];
  const keyed = await startGateway(
    testGatewayConfig({ supergraphPath: throwaway.writeSupergraph(), publicKeys }),
  );
  try {
    const codes = ['QUERY_TOO_COMPLEX', 'UNAUTHENTICATED', 'BAD_USER_INPUT'];
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          codes.map(async (code) => [
            code,
            await sample('opsgraph_graphql_errors_total', { code }, keyed.url),
          ]),
        ),
      ) as Record<string, number>;
    const before = await counts();

    // A limit violation (Apollo labels it a validation failure; the client sees QUERY_TOO_COMPLEX).
    const aliases = Array.from({ length: 40 }, (_, i) => `t${i}: title`).join(' ');
    const tooComplex = await graphql(keyed.url, `{ books { ${aliases} } }`);
    // A bad bearer token, refused before any subgraph is called.
    const badToken = await graphql(keyed.url, '{ books { title } }', {}, bearer('a.b.c'));
    // A body that is not JSON, refused before Apollo Server sees it.
    const malformed = await fetch(keyed.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const malformedBody = (await malformed.json()) as {
      errors: { extensions: { code: string } }[];
    };

    expect([errorCodes(tooComplex), badToken.status, errorCodes(badToken)]).toEqual([
      ['QUERY_TOO_COMPLEX'],
      401,
      ['UNAUTHENTICATED'],
    ]);
    expect([malformed.status, malformedBody.errors[0]?.extensions.code]).toEqual([
      400,
      'BAD_USER_INPUT',
    ]);
    expect(await counts()).toEqual({
      QUERY_TOO_COMPLEX: before.QUERY_TOO_COMPLEX! + 1,
      UNAUTHENTICATED: before.UNAUTHENTICATED! + 1,
      BAD_USER_INPUT: before.BAD_USER_INPUT! + 1,
    });
  } finally {
    await keyed.stop();
  }
});

it('tracks connections, subscriptions and delivered events, by transport', async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const BOOK_ADDED = `subscription { bookAdded { isbn onLoan } }`;
  const subscription = collect(client, BOOK_ADDED);
  const overSse = sseSubscribe(gateway.url, { authorization: LIBRARIAN }, BOOK_ADDED);
  await eventually(
    () =>
      gateway.service.subscriptionStats().subscribers === 2 && throwaway.liveSubscriptions() === 1,
  );
  const ws = { transport: 'graphql-ws' };
  const sse = { transport: 'sse' };
  expect(await sample('opsgraph_websocket_connections')).toBe(1);
  expect(await sample('opsgraph_subscriptions_active', ws)).toBe(1);
  expect(await sample('opsgraph_subscriptions_active', sse)).toBe(1);
  expect(await sample('opsgraph_subscriptions_active', { transport: 'multipart' })).toBe(0);
  // Identical subscriptions share one upstream, whatever their transports.
  expect(await sample('opsgraph_subscriptions_upstream')).toBe(1);

  const delivered = await sample('opsgraph_subscription_events_delivered_total', ws);
  const deliveredOverSse = await sample('opsgraph_subscription_events_delivered_total', sse);
  await graphql(
    gateway.url,
    `
      mutation {
        addBook(isbn: "978-5", title: "Ubik") {
          isbn
        }
      }
    `,
  );
  await subscription.waitFor(1);
  await overSse.waitFor(1);
  expect(await sample('opsgraph_subscription_events_delivered_total', ws)).toBe(delivered + 1);
  expect(await sample('opsgraph_subscription_events_delivered_total', sse)).toBe(
    deliveredOverSse + 1,
  );
  expect(
    await sample('opsgraph_subscription_delivery_latency_seconds_count'),
  ).toBeGreaterThanOrEqual(1);

  subscription.unsubscribe();
  overSse.unsubscribe();
  await client.dispose();
  await eventually(() => gateway.service.subscriptionStats().connections === 0);
  expect(await sample('opsgraph_websocket_connections')).toBe(0);
  await eventually(() => gateway.service.subscriptionStats().subscribers === 0);
  expect(await sample('opsgraph_subscriptions_active', sse)).toBe(0);
});

it("stops prom-client's collectors that run on their own once the service is closed", async () => {
  const { PerformanceObserver, monitorEventLoopDelay } = perfHooks;
  const metrics = createMetrics('closing');
  // A GC observer and an event-loop monitor, caught as prom-client created them (perf_hooks'
  // exports are its own again)…
  expect(metrics.runningCollectors()).toBe(2);
  expect(perfHooks.PerformanceObserver).toBe(PerformanceObserver);
  expect(perfHooks.monitorEventLoopDelay).toBe(monitorEventLoopDelay);
  // …whose series are served as before…
  const served = await metrics.registry.metrics();
  expect(served).toContain('# TYPE opsgraph_nodejs_gc_duration_seconds histogram');
  expect(served).toMatch(/^opsgraph_nodejs_eventloop_lag_p99_seconds\{[^}]*\} \d/m);
  // …and which no longer run, nor keep the closed service in memory, once it is closed.
  metrics.close();
  expect(metrics.runningCollectors()).toBe(0);
});
