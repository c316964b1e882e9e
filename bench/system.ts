/**
 * `npm run bench -- system`: the whole stack as production runs it — PostgreSQL, Redis, the four
 * subgraphs each in its own process and the gateway in another, all built JavaScript from
 * `dist/` with NODE_ENV=production — on a large seeded dataset (bench/seed-large.ts), loaded by
 * autocannon with the three client scenarios (the dashboard, a chat page, `me`) at 10, 50 and
 * 200 connections: req/s, latency percentiles, errors and timeouts (a 200 answer whose body
 * carries `errors` counts as an error too), and the CPU the subgraph and gateway processes spent
 * per request, from /proc.
 *
 * BENCH_BASELINE=<git ref> also builds that commit in a temporary git worktree and runs it on the
 * same database, each cell on both builds in turn, and reports this build's figures as ratios of
 * the baseline's: the machine's speed drifts too much for figures from separate runs to compare.
 *
 * autocannon runs in a child process of its own (this file, with `--load-generator`).
 *
 * BENCH_SCALE=0.1 seeds a tenth of the dataset; BENCH_CONNECTIONS=10,50, BENCH_SECONDS=10,
 * BENCH_WARMUP_SECONDS=3 and BENCH_SCENARIOS=dashboard,chat,me adjust the runs (short windows:
 * BENCH_SECONDS=4 BENCH_WARMUP_SECONDS=1); BENCH_PROFILE=1 runs the subgraphs under --cpu-prof,
 * writing one profile per process to .bench-profiles/system/<build>/ when the run ends.
 */
import { execFileSync, fork } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { print } from 'graphql';
import type { SharedConfig } from '../dev/subgraphs';
import { createTokenSigner, generateSigningKey } from '../platform/tokens';
import { createTestDatabase } from '../test/support/database';
import { graphql } from '../test/support/graphql';
import {
  FULL_DATASET,
  scaleDataset,
  seedLargeDataset,
  SEEDED_PASSWORD,
  type SeededDataset,
} from './seed-large';
import {
  benchSharedConfig,
  buildBaseline,
  databaseCpuMs,
  exampleOperation,
  httpLoadSettings,
  machine,
  mainThreadCpuMs,
  percentile,
  processCpuMs,
  record,
  ROOT,
  startSystemProcesses,
  SUBGRAPH_NAMES,
  uptimeMicros,
} from './support';
import { WINDOWS_FILE, type ProfileWindow } from './profile';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50,200').split(',').map(Number);
// BENCH_CONNECTIONS is a list of cells here (CONNECTIONS, above): LOAD.connections goes unused.
const LOAD = httpLoadSettings(10);
/** A git ref to build and run side by side with this checkout. */
const BASELINE = process.env.BENCH_BASELINE;
/** Scenario names to run (dashboard, chat, me), comma-separated; all when unset. */
const SCENARIOS = process.env.BENCH_SCENARIOS?.split(',');
const PROFILE = process.env.BENCH_PROFILE === '1';
/**
 * Windows per build and cell, taken in turns (A B B A …) and reported together: the machine's
 * speed drifts within a minute, and more, shorter turns let that drift fall on both builds alike.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
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
  /** Of the socket errors: requests with no answer within autocannon's 10 s timeout. */
  timeouts: number;
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
  const counts = { requests: 0, non2xx: 0, graphqlErrors: 0, socketErrors: 0, timeouts: 0 };
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
    instance.on('reqError', (error: Error) => {
      if (!measuring) return;
      counts.socketErrors += 1;
      if (error.message === 'request timed out') counts.timeouts += 1;
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
      query: print(exampleOperation('Dashboard')),
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
      query: print(exampleOperation('ChatChannel')),
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
      query: print(exampleOperation('Me')),
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
 * sessions, as the users subgraph would sign them. The login runs on every stack, the first
 * one's token is used: a login flushes MikroORM's unit of work, which runs in an
 * AsyncLocalStorage, and on Node 20 builds before b0dcaa1 its async hooks then cost every
 * promise of the users subgraph for good, as in production — a stack without that login would
 * run its users subgraph cheaper than the other.
 */
async function accessTokens(
  gatewayUrls: string[],
  dataset: SeededDataset,
  signingKey: Parameters<typeof createTokenSigner>[0],
): Promise<string[]> {
  const members = dataset.users
    .filter((u) => u.organizationId === dataset.organizations[0]!.id)
    .slice(0, TOKEN_POOL);
  let loggedIn: string | undefined;
  for (const gatewayUrl of gatewayUrls) {
    const login = await graphql(
      gatewayUrl,
      'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { usernameOrEmail: members[0]!.username, password: SEEDED_PASSWORD } },
    );
    if (!login.data?.login) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
    loggedIn ??= login.data.login.accessToken as string;
  }
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
  return [loggedIn!, ...signed];
}

const milliseconds = (value: number) => (Number.isNaN(value) ? '–' : String(Math.round(value)));

/** One whole opsgraph, built from one commit: four subgraph processes and a gateway process. */
interface RunningStack {
  label: string;
  gatewayUrl: string;
  /**
   * CPU time so far, in ms, of the gateway, of each subgraph process (SUBGRAPH_NAMES) and of
   * PostgreSQL (shared by both builds; only one is loaded at a time).
   */
  cpu(): { gateway: number; subgraphs: number[]; database: number; subgraphMainThreads: number[] };
  /** The subgraph processes' ids, in the order of cpu().subgraphs. */
  subgraphPids: number[];
  /** Notes a measured window, so that the profiles can be cut to it (BENCH_PROFILE=1). */
  measured(window: ProfileWindow): void;
  stop(): Promise<void>;
}

async function startStack(options: {
  label: string;
  /** `this` or `baseline`: where its profiles go. */
  role: string;
  root: string;
  databaseUrl: string;
  signingKey: SharedConfig['signingKey'];
}): Promise<RunningStack> {
  const profileDir = join(ROOT, '.bench-profiles', 'system', options.role);
  // A previous run's profiles would be summed with this one's.
  if (PROFILE) rmSync(profileDir, { recursive: true, force: true });
  const { gateway, subgraphs, stop } = await startSystemProcesses({
    root: options.root,
    // Each stack its own Redis keys, so that neither warms the other's caches.
    shared: benchSharedConfig({
      databaseUrl: options.databaseUrl,
      logLevel: 'warn',
      signingKey: options.signingKey,
    }),
    subgraphNodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    // No node agents run during the benchmark: keep the sweeper from turning the seeded ONLINE
    // nodes OFFLINE (and writing) in the middle of it.
    subgraphEnv: { NODE_OFFLINE_AFTER_MS: String(7 * 86_400_000) },
    gatewayEnv: { REQUEST_RATE_LIMIT: '100000000/1m' },
  });
  const windows: ProfileWindow[] = [];
  return {
    label: options.label,
    gatewayUrl: gateway.url,
    measured: (window) => windows.push(window),
    subgraphPids: subgraphs.pids,
    cpu: () => ({
      gateway: gateway.cpuMs(),
      subgraphs: subgraphs.pids.map(processCpuMs),
      database: databaseCpuMs(),
      // What their profiles sample (BENCH_PROFILE=1).
      subgraphMainThreads: subgraphs.pids.map(mainThreadCpuMs),
    }),
    async stop() {
      await stop();
      // Beside the profiles, which the subgraphs wrote as they exited.
      if (PROFILE) writeFileSync(join(profileDir, WINDOWS_FILE), JSON.stringify(windows));
    },
  };
}

interface Cell {
  scenario: string;
  connections: number;
  stack: string;
  result: LoadResult;
  gatewayCpuPerRequest: number;
  subgraphCpuPerRequest: number;
  /** PostgreSQL's CPU over the window (both builds share it; only one is loaded at a time). */
  databaseCpuPerRequest: number;
  /** The same, each subgraph's own (SUBGRAPH_NAMES order): which one a change made cheaper. */
  eachSubgraphCpuPerRequest: number[];
}

/**
 * One build's rounds of a cell as one: answers, seconds and errors summed, CPU per request over
 * all the answers, and each latency percentile the median of the rounds' (as the gateway
 * benchmark reports them).
 */
function combineRounds(rounds: Cell[]): Cell {
  const sum = (value: (cell: Cell) => number) => rounds.reduce((s, cell) => s + value(cell), 0);
  const requests = sum((cell) => cell.result.requests);
  const perRequest = (value: (cell: Cell) => number) =>
    sum((cell) => value(cell) * cell.result.requests) / requests;
  const median = (value: (result: LoadResult) => number) =>
    rounds.map((cell) => value(cell.result)).sort((a, b) => a - b)[rounds.length >> 1]!;
  const { scenario, connections, stack } = rounds[0]!;
  return {
    scenario,
    connections,
    stack,
    result: {
      requests,
      seconds: sum((cell) => cell.result.seconds),
      p50: median((result) => result.p50),
      p95: median((result) => result.p95),
      p99: median((result) => result.p99),
      errors: sum((cell) => cell.result.errors),
      non2xx: sum((cell) => cell.result.non2xx),
      graphqlErrors: sum((cell) => cell.result.graphqlErrors),
      socketErrors: sum((cell) => cell.result.socketErrors),
      timeouts: sum((cell) => cell.result.timeouts),
      sampleError: rounds.find((cell) => cell.result.sampleError)?.result.sampleError ?? null,
    },
    gatewayCpuPerRequest: perRequest((cell) => cell.gatewayCpuPerRequest),
    subgraphCpuPerRequest: perRequest((cell) => cell.subgraphCpuPerRequest),
    databaseCpuPerRequest: perRequest((cell) => cell.databaseCpuPerRequest),
    eachSubgraphCpuPerRequest: rounds[0]!.eachSubgraphCpuPerRequest.map((_, i) =>
      perRequest((cell) => cell.eachSubgraphCpuPerRequest[i]!),
    ),
  };
}

function errorText(result: LoadResult): string {
  const attempts = result.requests + result.socketErrors;
  const rate = attempts ? (100 * result.errors) / attempts : 0;
  const kinds = [
    [result.non2xx, 'non-2xx'],
    [result.graphqlErrors, 'with `errors`'],
    [result.socketErrors - result.timeouts, 'failed'],
  ]
    .filter(([count]) => Number(count) > 0)
    .map(([count, kind]) => `${count} ${kind}`);
  return `${result.errors} of ${attempts} (${rate.toFixed(2)} %${kinds.length ? `: ${kinds.join(', ')}` : ''})`;
}

function cellRow(cell: Cell): string {
  const { result } = cell;
  return `| ${cell.scenario} | ${cell.connections} | ${cell.stack} | ${Math.round(result.requests / result.seconds)} | ${milliseconds(result.p50)} | ${milliseconds(result.p95)} | ${milliseconds(result.p99)} | ${errorText(result)} | ${result.timeouts} | ${cell.gatewayCpuPerRequest.toFixed(2)} | ${cell.subgraphCpuPerRequest.toFixed(2)} | ${cell.databaseCpuPerRequest.toFixed(2)} | ${cell.eachSubgraphCpuPerRequest.map((ms) => ms.toFixed(2)).join(' / ')} |`;
}

async function measure(
  stack: RunningStack,
  loadGenerator: LoadGenerator,
  scenario: Scenario,
  tokens: string[],
  connections: number,
): Promise<Cell> {
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables });
  let before = stack.cpu();
  let from = uptimeMicros();
  const result = await loadGenerator.run(
    {
      url: stack.gatewayUrl,
      body,
      tokens,
      connections,
      warmUpSeconds: LOAD.warmUpSeconds,
      measureSeconds: LOAD.seconds,
    },
    () => {
      before = stack.cpu();
      from = uptimeMicros();
    },
  );
  const after = stack.cpu();
  stack.measured({
    from,
    to: uptimeMicros(),
    requests: result.requests,
    cpuMs: Object.fromEntries(
      stack.subgraphPids.map((pid, i) => [
        pid,
        after.subgraphMainThreads[i]! - before.subgraphMainThreads[i]!,
      ]),
    ),
  });
  const perRequest = (ms: number) => (result.requests ? ms / result.requests : NaN);
  const subgraphCpu = after.subgraphs.map((ms, i) => perRequest(ms - before.subgraphs[i]!));
  return {
    scenario: scenario.name,
    connections,
    stack: stack.label,
    result,
    gatewayCpuPerRequest: perRequest(after.gateway - before.gateway),
    subgraphCpuPerRequest: subgraphCpu.reduce((sum, ms) => sum + ms, 0),
    databaseCpuPerRequest: perRequest(after.database - before.database),
    eachSubgraphCpuPerRequest: subgraphCpu,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAverage = loadavg()[0]!.toFixed(1);
  const size = SCALE === 1 ? FULL_DATASET : scaleDataset(SCALE);
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const baseline = BASELINE ? buildBaseline(BASELINE) : null;
  const database = await createTestDatabase();
  const signingKey = generateSigningKey('bench');
  const stacks: RunningStack[] = [];
  const loadGenerator = startLoadGenerator();
  const cells: Cell[] = [];
  let dataset: SeededDataset;
  try {
    // The current build first: its subgraphs migrate the schema the dataset is written into.
    stacks.push(
      await startStack({
        label: `${head} (this)`,
        role: 'this',
        root: ROOT,
        databaseUrl: database.url,
        signingKey,
      }),
    );
    dataset = await seedLargeDataset(database.url, size);
    if (baseline) {
      stacks.push(
        await startStack({
          label: `${baseline.commit.slice(0, 7)} (baseline)`,
          role: 'baseline',
          root: baseline.root,
          databaseUrl: database.url,
          signingKey,
        }),
      );
    }
    const tokens = await accessTokens(
      stacks.map((stack) => stack.gatewayUrl),
      dataset,
      signingKey,
    );
    const chosen = scenarios(dataset).filter(
      (s) => !SCENARIOS || SCENARIOS.some((name) => s.name.startsWith(name)),
    );
    for (const scenario of chosen) {
      for (const stack of stacks) {
        const answer = await graphql(stack.gatewayUrl, scenario.query, scenario.variables, {
          authorization: `Bearer ${tokens[0]}`,
        });
        if (answer.errors || !answer.data) throw new Error(JSON.stringify(answer.errors));
        scenario.check(answer.data);
      }
    }
    // Interleaved: every cell runs on each stack in turn, the order alternating between turns,
    // so the machine's drift over the run falls on both alike.
    let turn = 0;
    for (const scenario of chosen) {
      for (const connections of CONNECTIONS) {
        const rounds = new Map(stacks.map((stack) => [stack, [] as Cell[]]));
        for (let round = 0; round < ROUNDS; round += 1) {
          const order = turn++ % 2 === 0 ? stacks : [...stacks].reverse();
          for (const stack of order) {
            const cell = await measure(stack, loadGenerator, scenario, tokens, connections);
            rounds.get(stack)!.push(cell);
            console.log(cellRow(cell));
            if (cell.result.sampleError) console.log(`  first error: ${cell.result.sampleError}`);
          }
        }
        for (const stack of stacks) cells.push(combineRounds(rounds.get(stack)!));
      }
    }
  } finally {
    loadGenerator.stop();
    for (const stack of stacks.reverse()) await stack.stop();
    await database.drop();
    await baseline?.remove();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const table = [
    `| scenario | connections | build | req/s | p50 ms | p95 ms | p99 ms | errors | timeouts | gateway CPU ms/req | subgraphs CPU ms/req | PostgreSQL CPU ms/req | ${SUBGRAPH_NAMES.join(' / ')} CPU ms/req |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...cells.map(cellRow),
  ].join('\n');
  const ratios = baseline ? ratioTable(cells) : '';
  console.log(table);
  if (ratios) console.log(ratios);
  const { size: s } = dataset;
  record(
    `System: the whole stack on a large dataset${baseline ? ` — ${head} vs ${baseline.commit.slice(0, 7)}` : ''}`,
    [
      `Method: PostgreSQL and Redis (local services); each build runs as production does — its own four subgraph processes and its gateway process, built JavaScript from \`dist/\` with its Kubernetes manifests' node flags, \`NODE_ENV=production\`, configured by environment variables only (a pool of 10 connections per subgraph; the nodes subgraph's offline sweeper held off, since no agent heartbeats during the run; the gateway's request rate limit raised out of the way), all on the same machine, unpinned.${baseline ? ` The baseline (\`BENCH_BASELINE=${BASELINE}\`, ${baseline.commit.slice(0, 7)}) is built in a temporary git worktree and runs on the same database and dataset; every cell runs on both builds in turn${ROUNDS > 1 ? `, ${ROUNDS} rounds each,` : ','} alternating which goes first.` : ''} The dataset is written straight into the subgraphs' tables after their migrations (\`bench/seed-large.ts\`, ${dataset.seconds.toFixed(0)} s, then VACUUM ANALYZE): 3 organizations (the first holds ~75 % of everything), ${s.users} users, ${s.nodes.toLocaleString('en')} nodes, ${s.deployments.toLocaleString('en')} deployments with ${dataset.deploymentEvents.toLocaleString('en')} events (1–6 each by status, ~5 on average), ${s.messages.toLocaleString('en')} messages over ${s.channels} channels (the r-th busiest holds ~1/r of them; the busiest ${dataset.busiestChannel.messages.toLocaleString('en')}).`,
      `Load: autocannon 8 in a child process, POST /graphql with the operations of \`examples/operations\` (Dashboard, ChatChannel, Me) as written; every request carries the access token of another of ${TOKEN_POOL} users of the first organization (one from the real login, the others signed with the stack's key for their sessions). Per cell${ROUNDS > 1 ? ` and round (${ROUNDS} rounds per build, reported together: answers, errors and CPU summed over them, each latency percentile the median of the rounds')` : ''}: ${LOAD.warmUpSeconds} s warm-up, then ${LOAD.seconds} s measured on the same connections; latency from autocannon's per-response times; errors = non-2xx answers + 2xx answers whose body has \`errors\` or no \`data\` (every body is parsed) + requests that failed or got no answer within autocannon's 10 s timeout (counted again under timeouts; they have no latency, so the percentiles are of the answered ones). CPU per request: user + system time from /proc of the gateway process, of the four subgraph processes and of PostgreSQL (every \`postgres\` process, with its exited backends' time through the postmaster) over the measured window, divided by the answers in it (in all, and each subgraph's own). The whole run took ${minutes} min.`,
      `Machine: ${machine()}; 1-minute load average when the run began: ${loadAverage} (a shared machine: other developers' builds and tests ran at the same time).`,
      table,
      ratios,
    ]
      .filter(Boolean)
      .join('\n\n'),
  );
}

/** This build over the baseline, cell by cell: the figures the issue's targets are about. */
function ratioTable(cells: Cell[]): string {
  const [current, baseline] = [...new Set(cells.map((cell) => cell.stack))];
  const rows = cells
    .filter((cell) => cell.stack === current)
    .map((cell) => {
      const base = cells.find(
        (other) =>
          other.stack === baseline &&
          other.scenario === cell.scenario &&
          other.connections === cell.connections,
      )!;
      const rate = (c: Cell) => c.result.requests / c.result.seconds;
      return `| ${cell.scenario} | ${cell.connections} | ${(cell.subgraphCpuPerRequest / base.subgraphCpuPerRequest).toFixed(2)}× | ${(cell.databaseCpuPerRequest / base.databaseCpuPerRequest).toFixed(2)}× | ${(rate(cell) / rate(base)).toFixed(2)}× | ${(cell.result.p95 / base.result.p95).toFixed(2)}× | ${cell.result.errors} / ${base.result.errors} |`;
    });
  return [
    '| scenario | connections | subgraphs CPU/req, this ÷ baseline | PostgreSQL CPU/req, this ÷ baseline | req/s, this ÷ baseline | p95, this ÷ baseline | errors, this / baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

if (process.argv.includes('--load-generator')) loadGeneratorChild();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
