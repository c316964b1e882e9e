/**
 * The gateway as a product of its own: domain-free (runs over any supergraph with no database),
 * reloads its supergraph, serves GraphiQL from local assets, reports readiness honestly and keeps
 * Apollo's request protections on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { composeSupergraph } from '../schema/compose';
import { ADMIN_DATABASE_URL } from './support/env';
import { startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { graphql, type GraphQLResponse } from './support/graphql';
import {
  startGateway,
  startStack,
  testGatewayConfig,
  type Running,
  type Stack,
} from './support/stack';
import type { Gateway } from '../gateway/server';

const schemaDir = join(__dirname, '..', 'schema');

it('the committed supergraph and API schema match the subgraph SDL (run `npm run compose`)', () => {
  const { supergraph, api } = composeSupergraph(schemaDir);
  expect(readFileSync(join(schemaDir, 'supergraph.graphql'), 'utf8')).toBe(supergraph);
  expect(readFileSync(join(schemaDir, 'api.graphql'), 'utf8')).toBe(api);
});

describe('over a supergraph that is not opsgraph, with no database', () => {
  let throwaway: Throwaway;
  let gateway: Running<Gateway>;
  let supergraphPath: string;
  let tabsDir: string;

  beforeAll(async () => {
    throwaway = await startThrowawaySubgraphs();
    supergraphPath = throwaway.writeSupergraph();
    tabsDir = mkdtempSync(join(tmpdir(), 'opsgraph-tabs-'));
    writeFileSync(join(tabsDir, 'books.graphql'), 'query Books { books { title onLoan } }\n');
    // No publicKeys, no Redis, no database: only a supergraph file (and GraphiQL's example tabs).
    gateway = await startGateway(testGatewayConfig({ supergraphPath, graphiqlTabsDir: tabsDir }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await throwaway?.stop();
    if (tabsDir) rmSync(tabsDir, { recursive: true, force: true });
  });

  it('answers a query that spans both subgraphs', async () => {
    const response = await graphql(
      gateway.url,
      `
        {
          books {
            isbn
            title
            onLoan
          }
        }
      `,
    );
    expect(response).toEqual({
      status: 200,
      data: {
        books: [
          { isbn: '978-0', title: 'Dune', onLoan: false },
          { isbn: '978-1', title: 'Solaris', onLoan: true },
        ],
      },
    });
  });

  it('opens GraphiQL with the configured example tabs', async () => {
    const init = await (await fetch(gateway.url.replace('/graphql', '/graphiql/init.js'))).text();
    expect(init).toContain(JSON.stringify([{ query: 'query Books { books { title onLoan } }\n' }]));
  });

  it('is ready once the supergraph is loaded and both subgraphs answer', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/readyz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      ready: true,
      checks: {
        supergraph: { ok: true },
        subgraphs: {
          ok: true,
          subgraphs: {
            catalogue: { ready: true, breaker: 'closed' },
            loans: { ready: true, breaker: 'closed' },
          },
        },
      },
    });
  });

  it('reloads the supergraph when the file changes', async () => {
    expect(
      (
        await graphql(
          gateway.url,
          `
            {
              books {
                onLoan
              }
            }
          `,
        )
      ).errors,
    ).toBeUndefined();
    // The same supergraph without the loans subgraph's field: once reloaded, it is unknown.
    writeFileSync(
      supergraphPath,
      throwaway.supergraphSdl.replace(/\n\s*onLoan: Boolean!.*\n/, '\n'),
    );
    let errors: unknown;
    for (let attempt = 0; attempt < 40 && !errors; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      errors = (
        await graphql(
          gateway.url,
          `
            {
              books {
                onLoan
              }
            }
          `,
        )
      ).errors;
    }
    expect(errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    writeFileSync(supergraphPath, throwaway.supergraphSdl);
  });
});

describe('over opsgraph', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('serves GraphiQL to browsers from local assets only', async () => {
    const page = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).not.toMatch(/https?:\/\//);
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect(source.startsWith('/graphiql/')).toBe(true);
      const asset = await fetch(new URL(source, stack.gatewayUrl));
      expect(asset.status).toBe(200);
      // Read to the end: a body left unread holds its connection open after the test.
      await asset.arrayBuffer();
    }
    const init = await (await fetch(new URL('/graphiql/init.js', stack.gatewayUrl))).text();
    expect(init).toContain("origin + '/graphql'");
  });

  it('answers HEAD /graphql and serves a favicon, as browsers and uptime checks expect', async () => {
    const head = await fetch(stack.gatewayUrl, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([200, 'GET, POST, HEAD, OPTIONS']);
    const favicon = await fetch(new URL('/favicon.ico', stack.gatewayUrl));
    expect([favicon.status, favicon.headers.get('content-type')]).toEqual([
      200,
      'image/svg+xml; charset=utf-8',
    ]);
    expect(await favicon.text()).toMatch(/^<svg /);
  });

  it('stays ready while a subgraph is down, saying which one', async () => {
    const readyz = () => fetch(stack.gatewayUrl.replace('/graphql', '/readyz'));
    expect((await readyz()).status).toBe(200);
    await stack.stopSubgraph('users');
    const down = await readyz();
    expect(down.status).toBe(200);
    expect(await down.json()).toMatchObject({
      ready: true,
      checks: {
        subgraphs: {
          ok: true,
          degraded: 'unreachable: users',
          subgraphs: { users: { ready: false }, messages: { ready: true } },
        },
      },
    });
    await stack.restartSubgraph('users');
    expect(await (await readyz()).json()).toMatchObject({
      checks: { subgraphs: { subgraphs: { users: { ready: true } } } },
    });
  });

  it('answers health checks on every service', async () => {
    const gatewayHealth = await fetch(stack.gatewayUrl.replace('/graphql', '/healthz'));
    expect(await gatewayHealth.json()).toEqual({ status: 'ok' });
    const usersReady = await fetch(stack.subgraphs.users!.url.replace('/graphql', '/readyz'));
    expect(await usersReady.json()).toEqual({
      status: 'ready',
      ready: true,
      checks: { database: { ok: true }, redis: { ok: true } },
    });
  });

  it('serves Prometheus metrics on every subgraph', async () => {
    await graphql(
      stack.gatewayUrl,
      `
        query Me {
          me {
            id
          }
        }
      `,
    );
    for (const [name, subgraph] of Object.entries(stack.subgraphs)) {
      const response = await fetch(subgraph.url.replace('/graphql', '/metrics'));
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain(`opsgraph_process_cpu_seconds_total{service="${name}"}`);
      expect(text).toContain('opsgraph_graphql_request_duration_seconds_bucket');
    }
    const users = await (
      await fetch(stack.subgraphs.users!.url.replace('/graphql', '/metrics'))
    ).text();
    expect(users).toMatch(/opsgraph_database_pool_connections\{[^}]*state="used"[^}]*\} \d/);
    expect(users).toMatch(/opsgraph_sql_statements_total\{service="users"\} [1-9]/);
    expect(users).toContain('opsgraph_redis_connected{service="users"} 1');
    expect(users).toMatch(
      /opsgraph_graphql_request_duration_seconds_count\{[^}]*operation="Me__users__0"[^}]*\} [1-9]/,
    );
  });

  it('reports a subgraph whose database is unreachable as not ready, and ready again', async () => {
    const readyz = () => fetch(stack.subgraphs.users!.url.replace('/graphql', '/readyz'));
    const name = new URL(stack.database.url).pathname.slice(1);
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`alter database "${name}" allow_connections false`);
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
        [name],
      );
      let down: Response | undefined;
      for (let attempt = 0; attempt < 50 && down?.status !== 503; attempt++) down = await readyz();
      expect(down!.status).toBe(503);
      expect(await down!.json()).toMatchObject({
        status: 'not ready',
        ready: false,
        checks: { database: { ok: false }, redis: { ok: true } },
      });
    } finally {
      await admin.query(`alter database "${name}" allow_connections true`);
      await admin.end();
    }
    let up: Response | undefined;
    for (let attempt = 0; attempt < 50 && up?.status !== 200; attempt++) {
      up = await readyz();
      if (up.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(up!.status).toBe(200);
  });

  it('keeps CSRF prevention on and limits request bodies', async () => {
    const simpleGet = await fetch(
      `${stack.gatewayUrl}?query=${encodeURIComponent('{ me { id } }')}`,
    );
    expect(simpleGet.status).toBe(400);
    const huge = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(huge.status).toBe(413);
    const malformed = { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' };
    const extensionsOf = async (response: Response) =>
      ((await response.json()) as GraphQLResponse).errors?.[0]?.extensions;
    expect(await extensionsOf(huge)).toEqual(malformed);
    for (const body of ['{ not json', '']) {
      const refused = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(refused.status).toBe(400);
      expect(await extensionsOf(refused)).toEqual(malformed);
    }
  });

  it('tells a client that sends an empty operationName that no operation has that name', async () => {
    const answer = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', operationName: '' }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as GraphQLResponse).errors?.[0]?.message).toBe(
      'The document has no operation named "".',
    );
  });
});
