/**
 * `npm run bench -- gateway`: opsgraph's gateway against a stock @apollo/gateway
 * (bench/stock-gateway.ts) over the same supergraph and the same running subgraphs, side by side
 * in one run: for each scenario the two take turns (A, B, A, B…), each turn a warm-up and then a
 * measured window, with a freshly signed token — a unique Authorization header — on every
 * request (me-sessions: the tokens of 1,000 sessions in turn, as clients that keep theirs send). Both gateways are pinned to core 0; everything else shares the other core.
 *
 * The four real subgraphs answer through a replaying proxy: the first request with a given body
 * goes to the subgraph and its answer is kept; identical bodies are then answered from memory.
 * The load generator and the subgraphs share one core, and without this they, not the gateway
 * under test, would set the pace. (`npm run bench -- system` measures the whole stack.)
 *
 * Figures per gateway: req/s, latency p50/p95/p99, gateway CPU milliseconds per request (the
 * process's user + system time over the measured windows divided by the requests answered — the
 * steadiest figure on a shared machine), peak RSS, and error answers (non-2xx, or a body with
 * `errors`). BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS and
 * BENCH_SCENARIOS (comma-separated) adjust the run; BENCH_PROFILE=1 writes --cpu-prof profiles
 * to .bench-profiles/; BENCH_BASELINE=<git ref> adds that commit's gateway as a further
 * contender, to compare a change with the code before it in the same run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { print } from 'graphql';
import { request } from 'undici';
import { listen } from '../platform/listen';
import { createTokenSigner, type TokenSigner } from '../platform/tokens';
import type { Principal } from '../platform/principal';
import { seedFinishedDeployments } from '../test/support/deployments';
import { graphql } from '../test/support/graphql';
import { createChannel, post } from '../test/support/messages';
import { signUp } from '../test/support/seed';
import { RELAXED_RATE_LIMITS } from '../test/support/stack';
import {
  machine,
  percentile,
  record,
  ROOT,
  buildBaseline,
  exampleOperation,
  httpLoadSettings,
  startGatewayProcess,
  startSubgraphs,
  uptimeMicros,
  type GatewayProcess,
} from './support';
import { WINDOWS_FILE, type ProfileWindow } from './profile';

const LOAD = httpLoadSettings(8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_PROFILE === '1';
const PAGE = 50;

interface Scenario {
  name: string;
  body: string;
  /**
   * Whose tokens it sends: a new one on every request (the default, the dearest case: each is
   * verified), or those of SESSIONS clients taking turns, as clients that keep their token do.
   */
  tokens?: 'unique' | 'sessions';
}

/** Distinct clients (sessions) for the scenarios whose clients reuse their tokens. */
const SESSIONS = 1_000;

interface Contender {
  name: string;
  gateway: GatewayProcess;
  /** Where its --cpu-prof profile goes (BENCH_PROFILE=1). */
  profileDir: string;
  /** Its measured windows, so that its profile can be cut to them. */
  windows: ProfileWindow[];
}

interface Window {
  requests: number;
  errors: number;
  seconds: number;
  cpuMs: number;
  latencies: { p50: number; p95: number; p99: number };
}

/**
 * One organization with PAGE deployments (each with a node, the user who triggered it and
 * several events) and a channel of PAGE messages, created through the gateway as clients would.
 */
async function seed(url: string) {
  const admin = await signUp(url);
  await seedFinishedDeployments(url, admin, PAGE / 5);
  const channel = await createChannel(url, admin, { name: 'bench' });
  for (let i = 0; i < PAGE; i++) await post(url, admin, channel.id, `message ${i}`);
  return { admin, channelId: channel.id };
}

interface ReplayingProxy {
  url: string;
  server: Server;
  /** Off (pass everything through) while seeding, so mutations really happen. */
  replaying: boolean;
}

/** Serves each distinct request body from memory after the subgraph answered it once. */
async function startReplayingProxy(target: string): Promise<ReplayingProxy> {
  const answers = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const known = proxy.replaying ? answers.get(body) : undefined;
      const answer = known
        ? Promise.resolve(known)
        : request(target, { method: 'POST', headers: req.headers, body })
            .then((response) => response.body.arrayBuffer())
            .then((bytes) => {
              const buffer = Buffer.from(bytes);
              if (proxy.replaying && !buffer.includes('"errors"')) answers.set(body, buffer);
              return buffer;
            });
      answer.then(
        (buffer) => res.writeHead(200, { 'content-type': 'application/json' }).end(buffer),
        () => res.writeHead(502).end(),
      );
    });
  });
  const proxy: ReplayingProxy = {
    url: await listen(server, '127.0.0.1', 0),
    server,
    replaying: false,
  };
  return proxy;
}

/** Tokens for one principal that differ from each other: each has its own expiry. */
async function uniqueTokens(signer: TokenSigner, principal: Principal, count: number) {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(`Bearer ${(await signer.sign(principal, 3600 + i)).token}`);
  }
  return tokens;
}

async function load(
  url: string,
  scenario: Scenario,
  seconds: number,
  nextToken: () => string,
  onBody?: (body: Buffer) => void,
) {
  return autocannon({
    url,
    connections: LOAD.connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: scenario.body,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, authorization: nextToken() },
        }),
      },
    ],
    setupClient: onBody ? (client) => client.on('body', onBody) : undefined,
  });
}

async function measure(
  contender: Contender,
  scenario: Scenario,
  nextToken: () => string,
): Promise<Window> {
  await load(contender.gateway.url, scenario, LOAD.warmUpSeconds, nextToken);
  let errorBodies = 0;
  const cpuBefore = contender.gateway.cpuMs();
  const from = uptimeMicros();
  const result = await load(contender.gateway.url, scenario, LOAD.seconds, nextToken, (body) => {
    if (body.includes('"errors"')) errorBodies++;
  });
  const cpuMs = contender.gateway.cpuMs() - cpuBefore;
  contender.windows.push({ from, to: uptimeMicros(), requests: result.requests.total });
  return {
    requests: result.requests.total,
    errors: result.non2xx + result.errors + errorBodies,
    seconds: result.duration,
    cpuMs,
    latencies: { p50: result.latency.p50, p95: result.latency.p97_5, p99: result.latency.p99 },
  };
}

function summarize(windows: Window[]) {
  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const seconds = windows.reduce((sum, w) => sum + w.seconds, 0);
  const median = (pick: (w: Window) => number) =>
    percentile(
      windows.map(pick).sort((a, b) => a - b),
      50,
    );
  return {
    requestsPerSecond: requests / seconds,
    cpuMsPerRequest: windows.reduce((sum, w) => sum + w.cpuMs, 0) / requests,
    p50: median((w) => w.latencies.p50),
    p95: median((w) => w.latencies.p95),
    p99: median((w) => w.latencies.p99),
    errors: windows.reduce((sum, w) => sum + w.errors, 0),
  };
}

async function main(): Promise<void> {
  const relaxed = { rateLimits: RELAXED_RATE_LIMITS, floodMaxRepeats: 1_000_000 };
  const stack = await startSubgraphs(['users', 'nodes', 'messages', 'deployments'], {
    users: relaxed,
    nodes: relaxed,
    messages: relaxed,
    deployments: relaxed,
  });
  const proxies = Object.fromEntries(
    await Promise.all(
      Object.entries(stack.subgraphUrls).map(
        async ([name, url]) => [name, await startReplayingProxy(url)] as const,
      ),
    ),
  );
  const proxied = {
    shared: stack.shared,
    subgraphUrls: Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, p.url])),
  };
  const profileDir = (name: string) => join(ROOT, '.bench-profiles', name);
  const profile = (name: string) =>
    PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`] : [];
  const contender = (name: string, gateway: GatewayProcess, profileName: string): Contender => ({
    name,
    gateway,
    profileDir: profileDir(profileName),
    windows: [],
  });
  // Rate limits high enough never to answer 429 to the benchmark; everything else production.
  const opsgraph = await startGatewayProcess(
    proxied,
    { REQUEST_RATE_LIMIT: '1000000000/1m' },
    { core: 0, nodeArgs: profile('opsgraph') },
  );
  const stock = await startGatewayProcess(
    proxied,
    {},
    {
      core: 0,
      entry: join(ROOT, 'dist', 'bench', 'stock-gateway.js'),
      nodeArgs: profile('stock'),
    },
  );
  // The same gateway without JWT_PUBLIC_KEYS: tokens are then verified by the subgraphs only.
  // Verifying an Ed25519 signature costs about 0.1 ms of CPU here, a work the stock gateway
  // does not do; this row shows what the rest of the gateway costs.
  const unverified = await startGatewayProcess(
    proxied,
    { REQUEST_RATE_LIMIT: '1000000000/1m', JWT_PUBLIC_KEYS: '' },
    { core: 0, nodeArgs: profile('opsgraph-unverified') },
  );
  const contenders: Contender[] = [
    contender('opsgraph', opsgraph, 'opsgraph'),
    contender('stock @apollo/gateway', stock, 'stock'),
    contender('opsgraph, no edge token check', unverified, 'opsgraph-unverified'),
  ];
  const baseline = process.env.BENCH_BASELINE ? buildBaseline(process.env.BENCH_BASELINE) : null;
  if (baseline) {
    const previous = await startGatewayProcess(
      proxied,
      { REQUEST_RATE_LIMIT: '1000000000/1m' },
      {
        core: 0,
        entry: join(baseline.root, 'dist', 'gateway', 'main.js'),
        nodeArgs: profile('opsgraph-baseline'),
      },
    );
    contenders.push(
      contender(`opsgraph @ ${baseline.commit.slice(0, 7)}`, previous, 'opsgraph-baseline'),
    );
  }

  try {
    console.log('Seeding through the gateway…');
    const { admin, channelId } = await seed(opsgraph.url);
    for (const proxy of Object.values(proxies)) proxy.replaying = true;
    const query = (name: string) => print(exampleOperation(name));
    const scenarios: Scenario[] = [
      { name: 'dashboard', body: JSON.stringify({ query: query('Dashboard') }) },
      {
        name: 'chat',
        body: JSON.stringify({ query: query('ChatChannel'), variables: { id: channelId } }),
      },
      { name: 'me', body: JSON.stringify({ query: query('Me') }) },
      {
        name: 'me-sessions',
        body: JSON.stringify({ query: query('Me') }),
        tokens: 'sessions' as const,
      },
    ].filter(
      (s) =>
        !process.env.BENCH_SCENARIOS || process.env.BENCH_SCENARIOS.split(',').includes(s.name),
    );

    const claims = JSON.parse(
      Buffer.from(admin.accessToken.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, string>;
    const principal: Principal = {
      kind: 'user',
      userId: claims.sub!,
      organizationId: claims.org!,
      role: 'ADMIN',
      sessionId: claims.sid!,
      expiresAt: 0,
    };
    console.log('Signing tokens…');
    const signer = await createTokenSigner(stack.shared.signingKey);
    const tokens = await uniqueTokens(
      signer,
      principal,
      Number(process.env.BENCH_TOKENS ?? 200_000),
    );
    let next = 0;
    const nextToken = () => tokens[next++ % tokens.length]!;
    const sessionTokens: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const session = { ...principal, sessionId: `${principal.sessionId}-${i}` };
      sessionTokens.push(`Bearer ${(await signer.sign(session, 3600)).token}`);
    }
    let nextSession = 0;
    const nextSessionToken = () => sessionTokens[nextSession++ % SESSIONS]!;

    // Both must answer each scenario in full, and alike, before anything is timed.
    for (const scenario of scenarios) {
      const answers = await Promise.all(
        contenders.map(async ({ gateway }) => {
          const { query, variables } = JSON.parse(scenario.body) as {
            query: string;
            variables?: Record<string, unknown>;
          };
          const response = await graphql(gateway.url, query, variables, {
            authorization: nextToken(),
          });
          if (response.errors) throw new Error(JSON.stringify(response.errors));
          return JSON.stringify(response.data);
        }),
      );
      if (new Set(answers).size !== 1) throw new Error(`${scenario.name}: the gateways disagree`);
      if (scenario.name === 'dashboard' && (answers[0]!.match(/"cursor"/g) ?? []).length < PAGE)
        throw new Error('dashboard: fewer deployments than a page');
    }

    const rows: string[] = [];
    const summaries: Record<string, Record<string, ReturnType<typeof summarize>>> = {};
    for (const scenario of scenarios) {
      const windows = new Map<string, Window[]>(contenders.map((c) => [c.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const contender of contenders) {
          const window = await measure(
            contender,
            scenario,
            scenario.tokens === 'sessions' ? nextSessionToken : nextToken,
          );
          windows.get(contender.name)!.push(window);
          console.log(
            `${scenario.name} round ${round + 1} ${contender.name}: ${Math.round(window.requests / window.seconds)} req/s, ${(window.cpuMs / window.requests).toFixed(3)} ms CPU/req`,
          );
        }
      }
      summaries[scenario.name] = {};
      for (const contender of contenders) {
        const s = summarize(windows.get(contender.name)!);
        summaries[scenario.name]![contender.name] = s;
        rows.push(
          `| ${scenario.name} | ${contender.name} | ${Math.round(s.requestsPerSecond)} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.cpuMsPerRequest.toFixed(3)} | ${(contender.gateway.memory().peak / 2 ** 20).toFixed(0)} | ${s.errors} |`,
        );
      }
    }
    const ratios = scenarios.flatMap((scenario) => {
      const theirs = summaries[scenario.name]!['stock @apollo/gateway']!;
      return contenders
        .filter(({ gateway }) => gateway !== stock)
        .map(({ name }) => {
          const ours = summaries[scenario.name]![name]!;
          return `| ${scenario.name} | ${name} | ${(ours.cpuMsPerRequest / theirs.cpuMsPerRequest).toFixed(2)}× | ${(ours.p99 / theirs.p99).toFixed(2)}× | ${(ours.requestsPerSecond / theirs.requestsPerSecond).toFixed(2)}× |`;
        });
    });

    const table = [
      '| scenario | gateway | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | peak RSS MiB | errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      '| scenario | gateway | CPU per request ÷ stock | p99 ÷ stock | req/s ÷ stock |',
      '| --- | --- | --- | --- | --- |',
      ...ratios,
    ].join('\n');
    console.log(`\n${table}`);
    const versions = ['@apollo/gateway', '@apollo/server', 'graphql', 'undici']
      .map((name) => {
        const manifest = join(ROOT, 'node_modules', name, 'package.json');
        return `${name} ${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`;
      })
      .join(', ');
    record(
      'Gateway: opsgraph vs stock @apollo/gateway',
      [
        `Machine: ${machine()}. ${versions}. Both gateways built JavaScript under NODE_ENV=production with the node flags of opsgraph's Kubernetes manifest (heap and young generation), pinned to core 0 with taskset; the four real subgraphs behind a replaying proxy, PostgreSQL, Redis and autocannon (${LOAD.connections} connections) on the rest. Each scenario: ${ROUNDS} rounds of each gateway in turn (A, B, C, A, B, C…), each turn a ${LOAD.warmUpSeconds} s warm-up and a ${LOAD.seconds} s measured window; a unique signed token per request, except in me-sessions. CPU ms/req is the gateway process's user + system time over the measured windows ÷ requests answered; latencies are the median over the rounds of each window's percentile (p95 is autocannon's p97.5); peak RSS is VmHWM. dashboard = examples/operations/dashboard.graphql (${PAGE} deployments with node, triggeredBy, last 3 events); chat = ChatChannel (${PAGE} messages with authors); me = Me; me-sessions = Me from ${SESSIONS.toLocaleString('en')} clients (distinct sessions) taking turns, each reusing its token, as clients do.`,
        '',
        table,
      ].join('\n'),
    );
  } finally {
    await Promise.all(contenders.map(({ gateway }) => gateway.stop()));
    // Beside each profile: its measured windows, so bench/profile.ts leaves out start-up,
    // seeding and warm-ups and can say what a request cost.
    if (PROFILE)
      for (const { profileDir, windows } of contenders) {
        mkdirSync(profileDir, { recursive: true });
        writeFileSync(join(profileDir, WINDOWS_FILE), JSON.stringify(windows));
      }
    await baseline?.remove();
    for (const proxy of Object.values(proxies)) proxy.server.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
