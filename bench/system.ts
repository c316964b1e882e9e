/**
 * `npm run bench -- system`: the whole stack — PostgreSQL, Redis, the four subgraphs and the
 * built gateway as its own process — on a large seeded dataset (bench/seed-large.ts), loaded by
 * autocannon with the three client scenarios (the dashboard, a chat page, `me`) at 10, 50 and
 * 200 connections: req/s, latency percentiles and the error rate, where a 200 answer whose body
 * carries `errors` counts as an error too.
 *
 * autocannon runs in a child process of its own (this file, with `--load-generator`), so that
 * neither it nor the subgraphs in this process delay each other's event loop.
 *
 * BENCH_SCALE=0.1 seeds a tenth of the dataset; BENCH_CONNECTIONS=10,50 and BENCH_SECONDS=10
 * adjust the runs.
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { createTokenSigner } from '../subgraphs/kit/tokens';
import { graphql } from '../test/support/graphql';
import {
  FULL_DATASET,
  scaleDataset,
  seedLargeDataset,
  SEEDED_PASSWORD,
  type SeededDataset,
} from './seed-large';
import { machine, percentile, record, ROOT, startGatewayProcess, startSubgraphs } from './support';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50,200').split(',').map(Number);
const WARM_UP_SECONDS = 3;
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Linux's clock ticks per second in /proc figures (USER_HZ). */
const USER_HZ = 100;
/** Distinct signed-in users whose tokens the requests take in turn. */
const TOKEN_POOL = 200;

/** One load run, as the parent asks the load-generator child for it. */
interface LoadJob {
  url: string;
  body: string;
  tokens: string[];
  connections: number;
  warmUpSeconds: number;
  measureSeconds: number;
}

interface LoadResult {
  /** Answers received in the measured window. */
  requests: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers other than 2xx, 2xx answers with `errors` (or no data), and socket errors. */
  errors: number;
  non2xx: number;
  graphqlErrors: number;
  socketErrors: number;
  sampleError: string | null;
}

/** Whether a 2xx body is a clean GraphQL answer. */
function isCleanAnswer(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
    return parsed.errors === undefined && parsed.data != null;
  } catch {
    return false;
  }
}

/** Runs in the child: warms up, then measures, in one autocannon run on the same connections. */
function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const counts = { requests: 0, non2xx: 0, graphqlErrors: 0, socketErrors: 0 };
  let sampleError: string | null = null;
  let measuring = false;
  let measureStart = 0;
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        method: 'POST',
        connections: job.connections,
        duration: job.warmUpSeconds + job.measureSeconds,
        headers: { 'content-type': 'application/json' },
        body: job.body,
        requests: [
          {
            // A different signed-in user on every request, as on a real dashboard.
            setupRequest: (request) => ({
              ...request,
              headers: {
                ...request.headers,
                authorization: `Bearer ${job.tokens[next++ % job.tokens.length]}`,
              },
            }),
            onResponse: (status, body) => {
              if (!measuring) return;
              counts.requests += 1;
              const ok = status >= 200 && status < 300;
              if (ok && isCleanAnswer(body)) return;
              if (ok) counts.graphqlErrors += 1;
              else counts.non2xx += 1;
              sampleError ??= `${status} ${body.slice(0, 500)}`;
            },
          },
        ],
      },
      (error) => {
        if (error) return reject(error as Error);
        const seconds = (Date.now() - measureStart) / 1000;
        latencies.sort((a, b) => a - b);
        resolve({
          ...counts,
          seconds,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          errors: counts.non2xx + counts.graphqlErrors + counts.socketErrors,
          sampleError,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (measuring) latencies.push(responseTime);
    });
    // Connection errors and timeouts (autocannon's 10 s) get no response at all.
    instance.on('reqError', () => {
      if (measuring) counts.socketErrors += 1;
    });
    setTimeout(() => {
      measuring = true;
      measureStart = Date.now();
      process.send!('measuring');
    }, job.warmUpSeconds * 1000);
  });
}

function loadGeneratorChild(): void {
  process.on('message', (job: LoadJob) => {
    runLoad(job).then(
      (result) => process.send!(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

interface LoadGenerator {
  /** Runs `job`, calling `onMeasuring` as its measured window opens. */
  run(job: LoadJob, onMeasuring: () => void): Promise<LoadResult>;
  stop(): void;
}

function startLoadGenerator(): LoadGenerator {
  const child = fork(__filename, ['--load-generator'], { execArgv: ['--import', 'tsx'] });
  return {
    run: (job, onMeasuring) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) =>
          reject(new Error(`the load generator exited with ${code}`));
        const onMessage = (message: 'measuring' | LoadResult) => {
          if (message === 'measuring') return onMeasuring();
          child.off('exit', onExit);
          child.off('message', onMessage);
          resolve(message);
        };
        child.once('exit', onExit);
        child.on('message', onMessage);
        child.send(job);
      }),
    stop: () => child.kill(),
  };
}

/** CPU time (user + system) a process has used so far, from /proc (Linux). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * (1000 / USER_HZ);
}

/** CPU time of the gateway process and of this one (the four subgraphs), in milliseconds. */
function cpuSample(gatewayPid: number): { gateway: number; subgraphs: number } {
  const own = process.cpuUsage();
  return { gateway: processCpuMs(gatewayPid), subgraphs: (own.user + own.system) / 1000 };
}

/** A named operation of examples/operations with the fragments it uses, from any example file. */
function exampleOperation(name: string): string {
  const folder = join(ROOT, 'examples', 'operations');
  const definitions: DefinitionNode[] = readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .flatMap((file) => parse(readFileSync(join(folder, file), 'utf8')).definitions);
  const fragments = new Map(
    definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const operation = definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
  );
  if (!operation) throw new Error(`no operation ${name} in examples/operations`);
  const needed = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !needed.has(fragment.name.value)) {
          needed.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...needed.values()] });
}

interface Scenario {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Throws unless the answer is what the seeded data should give. */
  check(data: Record<string, unknown>): void;
}

interface Edges<T> {
  edges: { node: T }[];
}

function scenarios(dataset: SeededDataset): Scenario[] {
  return [
    {
      name: 'dashboard (50 deployments, node, triggeredBy, last 3 events)',
      query: exampleOperation('Dashboard'),
      variables: {},
      check(data) {
        const { edges } = data.deployments as Edges<{
          node: { name: string } | null;
          triggeredBy: { username: string } | null;
          events: Edges<unknown>;
        }>;
        const complete = edges.filter(
          ({ node }) =>
            node.node?.name &&
            node.triggeredBy?.username &&
            node.events.edges.length >= 1 &&
            node.events.edges.length <= 3,
        );
        if (edges.length !== 50 || complete.length !== 50)
          throw new Error(`dashboard: ${complete.length} of ${edges.length} rows complete`);
      },
    },
    {
      name: `chat page (last 50 of #${dataset.busiestChannel.name}'s ${dataset.busiestChannel.messages.toLocaleString('en')} messages, authors)`,
      query: exampleOperation('ChatChannel'),
      variables: { id: dataset.busiestChannel.id },
      check(data) {
        const channel = data.channel as {
          messages: Edges<{ author: { username: string } | null }>;
        };
        const authored = channel.messages.edges.filter(({ node }) => node.author?.username);
        if (authored.length !== 50) throw new Error(`chat: ${authored.length} of 50 authored`);
      },
    },
    {
      name: 'me',
      query: exampleOperation('Me'),
      variables: {},
      check(data) {
        if (!(data.me as { username?: string } | null)?.username) throw new Error('me: no user');
      },
    },
  ];
}

/**
 * Access tokens for the first organization's users: one through the real login (which also
 * proves the seeded password hashes), the rest signed with the stack's key for their seeded
 * sessions, as the users subgraph would sign them.
 */
async function accessTokens(
  gatewayUrl: string,
  dataset: SeededDataset,
  signingKey: Parameters<typeof createTokenSigner>[0],
): Promise<string[]> {
  const members = dataset.users
    .filter((u) => u.organizationId === dataset.organizations[0]!.id)
    .slice(0, TOKEN_POOL);
  const login = await graphql(
    gatewayUrl,
    'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { usernameOrEmail: members[0]!.username, password: SEEDED_PASSWORD } },
  );
  if (!login.data?.login) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
  const signer = await createTokenSigner(signingKey);
  const signed = await Promise.all(
    members.slice(1).map(async (user) => {
      const { token } = await signer.sign(
        {
          kind: 'user',
          userId: user.id,
          organizationId: user.organizationId,
          role: user.role,
          sessionId: user.sessionId,
        },
        3_600,
      );
      return token;
    }),
  );
  return [login.data.login.accessToken as string, ...signed];
}

const milliseconds = (value: number) => (Number.isNaN(value) ? '–' : String(Math.round(value)));

async function main(): Promise<void> {
  const started = Date.now();
  const loadAverage = loadavg()[0]!.toFixed(1);
  const size = SCALE === 1 ? FULL_DATASET : scaleDataset(SCALE);
  const stack = await startSubgraphs(['users', 'nodes', 'messages', 'deployments'], {
    // No node agents run during the benchmark: keep the sweeper from turning the seeded ONLINE
    // nodes OFFLINE (and writing) in the middle of it.
    nodes: { offlineAfterMs: 7 * 86_400_000 },
  });
  let gateway: Awaited<ReturnType<typeof startGatewayProcess>> | null = null;
  const loadGenerator = startLoadGenerator();
  const rows: string[] = [];
  let dataset: SeededDataset;
  try {
    dataset = await seedLargeDataset(stack.database.url, size);
    gateway = await startGatewayProcess(stack, { REQUEST_RATE_LIMIT: '100000000/1m' });
    const tokens = await accessTokens(gateway.url, dataset, stack.shared.signingKey);
    for (const scenario of scenarios(dataset)) {
      const answer = await graphql(gateway.url, scenario.query, scenario.variables, {
        authorization: `Bearer ${tokens[0]}`,
      });
      if (answer.errors || !answer.data) throw new Error(JSON.stringify(answer.errors));
      scenario.check(answer.data);
      const body = JSON.stringify({ query: scenario.query, variables: scenario.variables });
      const gatewayPid = gateway.child.pid!;
      for (const connections of CONNECTIONS) {
        let before = cpuSample(gatewayPid);
        const result = await loadGenerator.run(
          {
            url: gateway.url,
            body,
            tokens,
            connections,
            warmUpSeconds: WARM_UP_SECONDS,
            measureSeconds: MEASURE_SECONDS,
          },
          () => (before = cpuSample(gatewayPid)),
        );
        const after = cpuSample(gatewayPid);
        const perRequest = (ms: number) =>
          (result.requests ? ms / result.requests : NaN).toFixed(1);
        const attempts = result.requests + result.socketErrors;
        const errorRate = attempts ? (100 * result.errors) / attempts : 0;
        const kinds = [
          [result.non2xx, 'non-2xx'],
          [result.graphqlErrors, 'with `errors`'],
          [result.socketErrors, 'timed out or failed'],
        ]
          .filter(([count]) => Number(count) > 0)
          .map(([count, kind]) => `${count} ${kind}`);
        const errors = `${result.errors} of ${attempts} (${errorRate.toFixed(2)} %${kinds.length ? `: ${kinds.join(', ')}` : ''})`;
        rows.push(
          `| ${scenario.name} | ${connections} | ${Math.round(result.requests / result.seconds)} | ${milliseconds(result.p50)} | ${milliseconds(result.p95)} | ${milliseconds(result.p99)} | ${errors} | ${perRequest(after.gateway - before.gateway)} | ${perRequest(after.subgraphs - before.subgraphs)} |`,
        );
        console.log(rows.at(-1));
        if (result.sampleError) console.log(`  first error: ${result.sampleError}`);
      }
    }
  } finally {
    loadGenerator.stop();
    await gateway?.stop();
    await stack.stop();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const table = [
    '| scenario | connections | req/s | p50 ms | p95 ms | p99 ms | errors | gateway CPU ms/req | subgraphs CPU ms/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(table);
  const { size: s } = dataset;
  record(
    'System: the whole stack on a large dataset',
    [
      `Method: PostgreSQL and Redis (local services), the four subgraphs in one process as \`npm start\` runs them (production settings, a pool of 10 connections each; the nodes subgraph's offline sweeper held off, since no agent heartbeats during the run), the built gateway as its own process (production settings, request rate limit raised out of the way), all on the same machine, unpinned. The dataset is written straight into the subgraphs' tables after their migrations (\`bench/seed-large.ts\`, ${dataset.seconds.toFixed(0)} s, then VACUUM ANALYZE): 3 organizations (the first holds ~75 % of everything), ${s.users} users, ${s.nodes.toLocaleString('en')} nodes, ${s.deployments.toLocaleString('en')} deployments with ${dataset.deploymentEvents.toLocaleString('en')} events (1–6 each by status, ~5 on average), ${s.messages.toLocaleString('en')} messages over ${s.channels} channels (the r-th busiest holds ~1/r of them; the busiest ${dataset.busiestChannel.messages.toLocaleString('en')}).`,
      `Load: autocannon 8 in a child process, POST /graphql with the operations of \`examples/operations\` (Dashboard, ChatChannel, Me) as written; every request carries the access token of another of ${TOKEN_POOL} users of the first organization (one from the real login, the others signed with the stack's key for their sessions). Per cell: ${WARM_UP_SECONDS} s warm-up, then ${MEASURE_SECONDS} s measured on the same connections; latency from autocannon's per-response times; errors = non-2xx answers + 2xx answers whose body has \`errors\` or no \`data\` (every body is parsed) + requests that failed or got no answer within autocannon's 10 s timeout (these have no latency, so the percentiles are of the answered ones). CPU per request: the gateway process's and this process's (the four subgraphs; autocannon runs elsewhere) user + system time over the measured window, divided by the answers in it. The whole run took ${minutes} min.`,
      `Machine: ${machine()}; 1-minute load average when the run began: ${loadAverage} (a shared machine).`,
      table,
    ].join('\n\n'),
  );
}

if (process.argv.includes('--load-generator')) loadGeneratorChild();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
