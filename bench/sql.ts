/**
 * `npm run bench -- sql`: the SQL cost of the dashboard query
 * (examples/operations/dashboard.graphql, its page size made a variable) at page sizes 10, 100
 * and 500, per subgraph: statements sent and rows returned, read from each subgraph's /metrics
 * (`opsgraph_sql_statements_total`, `opsgraph_sql_rows_total`) before and after one request
 * through the built gateway. DataLoader batching should keep the statements the same at every
 * size; only the rows grow with the page.
 */
import { Kind, print, visit, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { Client } from 'pg';
import { graphql } from '../test/support/graphql';
import { registerNode } from '../test/support/nodes';
import { addUser, signUp } from '../test/support/seed';
import { exampleOperation, machine, record, startGatewayProcess, startSubgraphs } from './support';

const PAGE_SIZES = [10, 100, 500];
const SUBGRAPHS = ['users', 'nodes', 'deployments'];
/** Besides the ADMIN who signs the organization up. */
const ADDED_ROLES = ['DEVELOPER', 'DEVELOPER', 'OPERATOR'] as const;
const NODES = 12;
const DEPLOYMENTS = 1_000;
/** Each deployment: claimed (RUNNING), three log lines, its final status. */
const EVENTS_PER_DEPLOYMENT = 5;

/** The dashboard operation as clients send it, with `first: $first` instead of `first: 50`. */
function dashboardQuery(): string {
  const first = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'first' } } as const;
  const paged = visit(exampleOperation('Dashboard'), {
    OperationDefinition(operation: OperationDefinitionNode) {
      return {
        ...operation,
        variableDefinitions: [
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: first,
            type: {
              kind: Kind.NON_NULL_TYPE,
              type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Int' } },
            },
          },
          ...(operation.variableDefinitions ?? []),
        ],
      };
    },
    Field(field: FieldNode) {
      if (field.name.value !== 'deployments') return undefined;
      return {
        ...field,
        arguments: (field.arguments ?? []).map((argument) =>
          argument.name.value === 'first' ? { ...argument, value: first } : argument,
        ),
      };
    },
  });
  return print(paged);
}

/**
 * An organization as clients build it (sign-up, users, registered nodes), then its history in
 * bulk: DEPLOYMENTS finished deployments spread over its nodes and users, each with its events.
 */
async function seed(gatewayUrl: string, databaseUrl: string) {
  const admin = await signUp(gatewayUrl);
  const users = [
    admin,
    ...(await Promise.all(ADDED_ROLES.map((role) => addUser(gatewayUrl, admin, role)))),
  ];
  const nodes = await Promise.all(
    Array.from({ length: NODES }, (_, i) =>
      registerNode(gatewayUrl, admin, { region: ['eu-west-1', 'us-east-1'][i % 2]! }),
    ),
  );
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into deployments.deployments
          (id, organization_id, node_id, application, version, environment, status, triggered_by,
           created_at, started_at, finished_at, last_event_sequence)
        select gen_random_uuid(), $1, ($2::uuid[])[1 + d % $4], 'app-' || d % 7, 'v' || d,
          (array['production', 'staging'])[1 + d % 2],
          case when d % 9 = 0 then 'FAILED' else 'SUCCEEDED' end,
          ($3::uuid[])[1 + d % $5],
          now() - ($6 - d) * interval '10 minutes',
          now() - ($6 - d) * interval '10 minutes' + interval '5 seconds',
          now() - ($6 - d) * interval '10 minutes' + interval '2 minutes',
          $7
        from generate_series(1, $6) d`,
      [
        admin.user.organization.id,
        nodes.map(({ node }) => node.id),
        users.map(({ user }) => user.id),
        nodes.length,
        users.length,
        DEPLOYMENTS,
        EVENTS_PER_DEPLOYMENT,
      ],
    );
    await client.query(
      `insert into deployments.deployment_events
          (id, deployment_id, sequence, type, status, level, message, created_at)
        select gen_random_uuid(), d.id, s,
          case when s in (1, $1) then 'STATUS_CHANGED' else 'LOG' end,
          case when s = 1 then 'RUNNING' when s = $1 then d.status end,
          'INFO',
          case when s = 1 then 'Claimed by the node agent.'
            when s = $1 then 'Status changed from RUNNING to ' || d.status || '.'
            else 'step ' || (s - 1) || ' of ' || d.application end,
          d.started_at + s * interval '10 seconds'
        from deployments.deployments d, generate_series(1, $1) s`,
      [EVENTS_PER_DEPLOYMENT],
    );
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return admin;
}

/** A subgraph's running totals of SQL statements and rows, from its Prometheus metrics. */
async function sqlTotals(subgraphUrl: string): Promise<{ statements: number; rows: number }> {
  const text = await (await fetch(new URL('/metrics', subgraphUrl))).text();
  const total = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    if (!line) throw new Error(`${subgraphUrl} has no ${name} metric`);
    return Number(line.split(' ').at(-1));
  };
  return {
    statements: total('opsgraph_sql_statements_total'),
    rows: total('opsgraph_sql_rows_total'),
  };
}

interface DashboardPage {
  deployments: {
    edges: {
      node: {
        node: { id: string } | null;
        triggeredBy: { id: string } | null;
        events: { edges: unknown[] };
      };
    }[];
  };
}

async function main(): Promise<void> {
  const stack = await startSubgraphs(SUBGRAPHS, {
    // No sweep while measuring: only the query's own statements are counted.
    nodes: { sweepIntervalMs: 3_600_000 },
  });
  const gateway = await startGatewayProcess(stack, { REQUEST_RATE_LIMIT: '1000000/1m' });
  const rows: string[] = [];
  const statementsBySize: string[] = [];
  try {
    const admin = await seed(gateway.url, stack.database.url);
    const query = dashboardQuery();
    const run = async (first: number) => {
      const response = await graphql<DashboardPage>(gateway.url, query, { first }, admin.headers);
      const edges = response.data?.deployments.edges ?? [];
      // Only a complete answer counts: every deployment with its node, author and 3 events.
      const complete = edges.every(
        ({ node }) => node.node && node.triggeredBy && node.events.edges.length === 3,
      );
      if (response.errors || edges.length !== first || !complete) {
        throw new Error(`incomplete dashboard page: ${JSON.stringify(response).slice(0, 500)}`);
      }
    };
    for (const first of PAGE_SIZES) {
      await run(first); // warm-up: the gateway plans the operation once
      const before = await Promise.all(
        SUBGRAPHS.map((name) => sqlTotals(stack.subgraphUrls[name]!)),
      );
      await run(first);
      const after = await Promise.all(
        SUBGRAPHS.map((name) => sqlTotals(stack.subgraphUrls[name]!)),
      );
      const statements = SUBGRAPHS.map((name, i) => {
        const spent = {
          statements: after[i]!.statements - before[i]!.statements,
          rows: after[i]!.rows - before[i]!.rows,
        };
        rows.push(
          `| ${first} | ${name} | ${spent.statements} | ${spent.rows.toLocaleString('en')} |`,
        );
        return `${name} ${spent.statements}`;
      });
      statementsBySize.push(statements.join(', '));
    }
  } finally {
    await gateway.stop();
    await stack.stop();
  }
  const identical = new Set(statementsBySize).size === 1;
  const table = [
    '| page size | subgraph | SQL statements | rows read |',
    '| ---: | --- | ---: | ---: |',
    ...rows,
  ].join('\n');
  const verdict = identical
    ? `Statements per dashboard request are identical at page sizes ${PAGE_SIZES.join(', ')} (${statementsBySize[0]}): target met.`
    : `Statements per dashboard request differ with the page size (${statementsBySize.join(' / ')}): target missed.`;
  console.log(`${table}\n\n${verdict}`);
  record(
    'SQL per dashboard request',
    `Method: the users, nodes and deployments subgraphs in the benchmark process and the built gateway as its own process, on a fresh database holding one organization (signed up, ${ADDED_ROLES.length} more users and ${NODES} nodes created through the API) and ${DEPLOYMENTS.toLocaleString('en')} finished deployments spread over its nodes and users with ${EVENTS_PER_DEPLOYMENT} events each (inserted in bulk, then ANALYZE). The query is examples/operations/dashboard.graphql with \`first\` as a variable (each deployment with its node, who triggered it and its last 3 events). For each page size, one warm-up request, then one measured request: statements and rows are the change in each subgraph's \`opsgraph_sql_statements_total\` and \`opsgraph_sql_rows_total\` (rows returned by PostgreSQL to the subgraph) across it.\n\nMachine: ${machine()}.\n\n${table}\n\n${verdict}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
