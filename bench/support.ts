/**
 * Shared pieces of the benchmarks: a throwaway database, the subgraphs started in this process
 * (as `npm start` does), a gateway as a child process (so its CPU and memory are its own),
 * percentiles, and appending results to docs/benchmarks.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { concatAST, parse, separateOperations, type DocumentNode } from 'graphql';
import WebSocket from 'ws';
import { parseAllDocuments } from 'yaml';
import {
  LOCAL_SUBGRAPHS,
  localSharedConfig,
  type SharedConfig,
  type SubgraphHandle,
} from '../dev/subgraphs';
import { INTROSPECTION_PATH } from '../platform/api-keys';
import { answersTypename } from '../platform/http';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { generateSigningKey } from '../platform/tokens';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { freePort } from '../test/support/processes';
import { bearer, graphql } from '../test/support/graphql';

export const ROOT = join(__dirname, '..');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The HTTP load of the load benchmarks, from the environment: BENCH_CONNECTIONS connections
 * (default 50), BENCH_WARMUP_SECONDS of warm-up (3), then BENCH_SECONDS measured (the
 * benchmark's own default).
 */
export function httpLoadSettings(defaultSeconds: number) {
  return {
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    warmUpSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3),
    seconds: Number(process.env.BENCH_SECONDS ?? defaultSeconds),
  };
}

/**
 * An example client operation (examples/operations) by name, as a client sends it: its own
 * document with the fragments it uses, from its own file or the shared ones.
 */
export function exampleOperation(name: string): DocumentNode {
  const folder = join(ROOT, 'examples', 'operations');
  const documents = readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => parse(readFileSync(join(folder, file), 'utf8')));
  const operation = separateOperations(concatAST(documents))[name];
  if (!operation) throw new Error(`no operation ${name} in examples/operations`);
  return operation;
}

/**
 * The configuration every service of one benchmark stack shares, production mode. Each stack
 * gets its own Redis key prefix, so that no stack warms another's caches.
 */
export function benchSharedConfig(options: {
  databaseUrl: string;
  /** The machine's Redis (BENCH_REDIS_URL) by default. */
  redisUrl?: string;
  logLevel: 'silent' | 'warn';
  /** A fresh key by default; stacks that must accept each other's tokens pass one. */
  signingKey?: SharedConfig['signingKey'];
}): SharedConfig {
  return localSharedConfig({
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl ?? REDIS_URL,
    redisPrefix: `opsgraph-bench:${randomBytes(4).toString('hex')}:`,
    logLevel: options.logLevel,
    signingKey: options.signingKey ?? generateSigningKey('bench'),
    production: true,
  });
}

/** A rate no benchmark reaches. */
export const UNLIMITED_RATE = '100000000/1m';

/**
 * Subgraph processes' environment for benchmarks, which post far faster than a person: no rate
 * limit or flood guard may shape their figures.
 */
export const UNLIMITED_SUBGRAPH_ENV = {
  RATE_LIMITS: ['login', 'loginPerAddress', 'signUp', 'createUser', 'postMessage']
    .map((name) => `${name}=${UNLIMITED_RATE}`)
    .join(','),
  MESSAGE_FLOOD_MAX_REPEATS: '1000',
};

/** A gateway's environment for thousands of subscribers from one process and credential. */
export const MANY_SUBSCRIBERS_GATEWAY_ENV = {
  SUBSCRIPTIONS_PER_CONNECTION: '10',
  CONNECTIONS_PER_CREDENTIAL: '100000',
  REQUEST_RATE_LIMIT: '1000000/1m',
};

export interface BenchStack {
  database: TestDatabase;
  shared: SharedConfig;
  subgraphUrls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSubgraphs(
  names: string[],
  overrides: Record<string, Record<string, unknown>> = {},
): Promise<BenchStack> {
  const database = await createTestDatabase();
  const shared = benchSharedConfig({ databaseUrl: database.url, logLevel: 'silent' });

  const handles: SubgraphHandle[] = [];
  const subgraphUrls: Record<string, string> = {};
  for (const local of LOCAL_SUBGRAPHS) {
    if (!names.includes(local.name)) continue;
    const handle = await local.create({ ...shared, subgraphUrls }, overrides[local.name] ?? {});
    handles.push(handle);
    subgraphUrls[local.name] = await listen(handle.httpServer, '127.0.0.1', 0);
    if (local.name === 'users')
      shared.base.apiKeyIntrospectionUrl = new URL(
        INTROSPECTION_PATH,
        subgraphUrls.users,
      ).toString();
  }
  return {
    database,
    shared,
    subgraphUrls,
    async stop() {
      for (const handle of handles.reverse()) {
        handle.httpServer.closeAllConnections();
        await closeHttpServer(handle.httpServer);
        await handle.close();
      }
      await database.drop();
    },
  };
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** The process's resident memory now and at its peak, in bytes (Linux /proc). */
  memory(): { rss: number; peak: number };
  /** CPU time (user + system) the process has used so far, in milliseconds (Linux /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Built script to run; opsgraph's gateway when absent. */
  entry?: string;
  /** Pin the process to this core with taskset, where taskset exists. */
  core?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/**
 * Keeps this process (every thread) and the processes it starts from now on off `core`, where
 * taskset exists: the subscribers it holds and the subgraphs it starts then never preempt the
 * gateway pinned there, so the gateway's figures are its own.
 *
 * With BENCH_STEER_LOOPBACK=1 the kernel's side of receiving leaves it too: loopback's receive
 * processing, which otherwise runs on the sending core inside its writes, is steered to the
 * other cores (Receive Packet Steering, restored when this process exits), as a real network
 * would leave it to the receivers' machines. Returns the sentence the Method text then needs.
 */
export function leaveCoreToGateway(core: number): string {
  if (!existsSync('/usr/bin/taskset')) return '';
  const others = cpus()
    .map((_, i) => i)
    .filter((i) => i !== core);
  if (others.length === 0) return '';
  execFileSync('taskset', ['-apc', others.join(','), String(process.pid)], { stdio: 'ignore' });
  if (process.env.BENCH_STEER_LOOPBACK !== '1') return '';
  const steering = '/sys/class/net/lo/queues/rx-0/rps_cpus';
  const before = readFileSync(steering, 'utf8');
  writeFileSync(steering, others.reduce((mask, i) => mask | (1n << BigInt(i)), 0n).toString(16));
  process.once('exit', () => writeFileSync(steering, before));
  process.once('SIGINT', () => process.exit(130));
  return ` This run steered loopback's receive processing to core ${others.join(', ')} (BENCH_STEER_LOOPBACK=1: \`${steering}\`), off core ${core}.`;
}

/**
 * A gateway (`npm run build` first) as its own process, so its CPU and memory are its own, with
 * the node flags of its build's Kubernetes manifest.
 */
export async function startGatewayProcess(
  stack: Pick<BenchStack, 'shared' | 'subgraphUrls'>,
  env: Record<string, string>,
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const port = await freePort();
  const entry = options.entry ?? join(ROOT, 'dist', 'gateway', 'main.js');
  if (!existsSync(entry)) throw new Error('Run `npm run build` first.');
  const variables: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEYS: JSON.stringify({ keys: stack.shared.base.publicKeys }),
    REDIS_URL,
    REDIS_PREFIX: stack.shared.base.redisPrefix,
    ...Object.fromEntries(
      Object.entries(stack.subgraphUrls).map(([name, url]) => [
        `SUBGRAPH_${name.toUpperCase()}_URL`,
        url,
      ]),
    ),
    ...env,
  };
  // Its build's manifest flags (heap and young generation), as production runs it; a stock
  // gateway built beside it gets the same, so the two differ by their code alone.
  const root = resolve(dirname(entry), '..', '..');
  const node = [
    'node',
    ...manifestNodeOptions(root, 'gateway'),
    ...(options.nodeArgs ?? []),
    entry,
  ];
  const command =
    options.core === undefined || !existsSync('/usr/bin/taskset')
      ? node
      : ['taskset', '-c', String(options.core), ...node];
  // taskset execs node, so the child's pid is the gateway's own.
  const child = spawn(command[0]!, command.slice(1), {
    env: variables,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; !(await answersTypename(url)); i++) {
    // A loaded shared machine can take tens of seconds to start it.
    if (i > 600 || child.exitCode !== null) {
      child.kill();
      throw new Error(`${entry} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    memory: () => ({ rss: memoryOf(child.pid!, 'VmRSS'), peak: memoryOf(child.pid!, 'VmHWM') }),
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** A memory figure of a process from /proc (VmRSS: its RSS now; VmHWM: its peak), in bytes. */
export function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** When the system has been up, in microseconds: the clock of --cpu-prof's sample timestamps. */
export function uptimeMicros(): number {
  return Math.round(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e6);
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Appends a section to docs/benchmarks.md (created with its header when missing; BENCH_RECORD=0: not). */
export function record(title: string, body: string): void {
  if (process.env.BENCH_RECORD === '0') return; // a trial run
  const path = join(ROOT, 'docs', 'benchmarks.md');
  if (!existsSync(path)) {
    writeFileSync(
      path,
      '# Benchmarks\n\nResults appended by `npm run bench -- <scenario>`, newest last. Each section says what was measured, how, and on what machine.\n',
    );
  }
  appendFileSync(
    path,
    `\n## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${body}\n`,
  );
}

/**
 * The JavaScript heap a process keeps after a full collection, and its RSS just after: what it
 * retains, apart from garbage not yet collected (which a sampled RSS mostly measures). Opens the
 * process's inspector (SIGUSR1; start it with `--inspect-port=<port>`), forces two full
 * collections over the DevTools protocol, reads the heap, and closes the inspector again. One
 * process at a time per port. Also the size of V8's new space (the young generation) before the
 * collections: V8 grows it with the allocation rate, and a sampled RSS holds it. With
 * `inService`, also the RSS once that young generation is resident again after the collections
 * (`rssInService`): the baseline for an RSS sampled later in service.
 */
export async function retainedMemory(
  pid: number,
  port: number,
  options: { inService?: boolean } = {},
): Promise<{ heapUsed: number; rss: number; rssInService?: number; youngGeneration: number }> {
  process.kill(pid, 'SIGUSR1');
  let target: string | undefined;
  for (let attempt = 0; !target; attempt++) {
    if (attempt > 100) throw new Error(`the inspector of ${pid} did not open on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    target = await fetch(`http://127.0.0.1:${port}/json/list`)
      .then((response) => response.json() as Promise<{ webSocketDebuggerUrl: string }[]>)
      .then((targets) => targets[0]?.webSocketDebuggerUrl)
      .catch(() => undefined);
  }
  const socket = new WebSocket(target);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let lastId = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++lastId;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as {
          id?: number;
          result: Record<string, unknown>;
        };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    // Read before the collections, which may shrink it.
    const young = await call('Runtime.evaluate', {
      expression:
        "process.mainModule.require('node:v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size",
      returnByValue: true,
    });
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    const rss = memoryOf(pid);
    let rssInService;
    if (options.inService) {
      // A full collection forced this way hands the young generation's pages back to the
      // system; a process that serves traffic keeps them (2 × 32 MiB for the gateway).
      // Short-lived garbage through both semi-spaces, many times over, makes them resident again.
      await call('Runtime.evaluate', {
        expression: `{ const ring = new Array(1024); for (let i = 0; i < 1e6; i++) ring[i & 1023] = new Array(30); }`,
      });
      rssInService = memoryOf(pid);
    }
    // Closing ends this session too, so no answer is awaited.
    socket.send(
      JSON.stringify({
        id: ++lastId,
        method: 'Runtime.evaluate',
        params: { expression: "process.mainModule.require('node:inspector').close()" },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    return {
      heapUsed: Number(usage.usedSize),
      rss,
      rssInService,
      youngGeneration: Number((young.result as { value: number }).value),
    };
  } finally {
    socket.terminate();
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function processCpuMs(pid: number): number {
  return cpuMsOf(`/proc/${pid}/stat`);
}

/**
 * CPU time of a process's main thread only, in ms: what a CPU profile samples, without V8's
 * helper threads (concurrent marking, the profiler's own sampler) and libuv's pool.
 */
export function mainThreadCpuMs(pid: number): number {
  return cpuMsOf(`/proc/${pid}/task/${pid}/stat`);
}

function cpuMsOf(statPath: string): number {
  // Fields 14 and 15 of a stat file: utime, stime.
  const fields = statFields(statPath);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** A /proc stat file's fields after the parenthesised name: [0] is field 3 (state), [1] ppid. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** How a benchmark's Method text describes sampleCore's figure for `who`, pinned to `core`. */
export const kernelSplitMethod = (who: string, core: number) =>
  `Where \`perf\` may sample, ${who}'s core is sampled meanwhile (\`perf record -C ${core} -g\`), and the share of ${who}'s samples under \`process_backlog\` is its time in loopback's receiving side: the readers' TCP processing, which over loopback the kernel runs on the sending core inside its writes (a softirq), and which over a real network the readers' machines would do. A lower bound: what the kernel defers to its ksoftirqd thread, and the softirq's other work for the receivers (freeing their buffers), are not counted.`;

/** A fraction as a whole percentage, e.g. "29 %". */
export const percent = (fraction: number) => `${Math.round(100 * fraction)} %`;

/**
 * Samples `core` with `perf record` (call graphs, 999 Hz) until `stop(pid)`, which tells what
 * share of `pid`'s time there went to loopback's receiving side (kernelSplitMethod); null where
 * perf is missing or may not sample (the benchmark then goes without the figure).
 */
export function sampleCore(core: number): { stop(pid: number): Promise<number | null> } {
  const file = join(mkdtempSync(join(tmpdir(), 'opsgraph-perf-')), 'perf.data');
  const perf = spawn('perf', ['record', '-C', String(core), '-g', '-F', '999', '-o', file], {
    stdio: 'ignore',
  });
  const exited = new Promise<boolean>((resolve) => {
    perf.once('error', () => resolve(false));
    // It ends itself on SIGINT once it has written the samples out.
    perf.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT'));
  });
  return {
    async stop(pid) {
      perf.kill('SIGINT');
      let report: string;
      try {
        if (!(await exited)) return null;
        report = execFileSync(
          'perf',
          [
            ...['report', '--stdio', '-i', file, '--pid', String(pid), '--percentage', 'relative'],
            ...['--children', '--sort', 'sym', '-g', 'none'],
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 },
        );
      } catch {
        return null;
      } finally {
        rmSync(dirname(file), { recursive: true, force: true });
      }
      // A line like "    20.97%     0.06%  [k] process_backlog": the first figure includes callees.
      // (Some runs' call chains here skip frames above it, net_rx_action among them; not it.)
      const line = report.split('\n').find((l) => l.trimEnd().endsWith('[k] process_backlog'));
      return line ? Number(/([\d.]+)%/.exec(line)![1]) / 100 : 0;
    },
  };
}

/**
 * CPU time PostgreSQL has used, in ms: every process named `postgres` (the postmaster, its
 * backends and workers), and for a postmaster also what its children that have exited used
 * (the kernel adds a reaped child's time to its parent's), so that a backend which closes during
 * a window does not take its time with it. The database shares the machine's cores with the
 * services: what a request costs it counts against the whole system's rate too.
 */
export function databaseCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = statFields(`/proc/${entry}/stat`);
      const parent = readFileSync(`/proc/${fields[1]}/comm`, 'utf8').trim();
      // Fields 14–17 of /proc/<pid>/stat: utime, stime, and the reaped children's cutime, cstime.
      const own = Number(fields[11]) + Number(fields[12]);
      const reaped = parent === 'postgres' ? 0 : Number(fields[13]) + Number(fields[14]);
      total += ((own + reaped) * 1000) / CLOCK_TICKS;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** The subgraph processes in the order SubgraphProcesses lists them. */
export const SUBGRAPH_NAMES = ['users', 'nodes', 'messages', 'deployments'] as const;

export interface SubgraphProcesses {
  urls: Record<string, string>;
  pids: number[];
  stop(): Promise<void>;
}

/**
 * The node flags a service's Kubernetes manifest in the build under `root` starts it with (its
 * container's `command`, or `NODE_OPTIONS` in builds before the flags moved there): heap limits
 * and the young generation's size change the CPU a request costs (GC), so each build runs with
 * its own.
 */
export function manifestNodeOptions(root: string, service: string): string[] {
  const manifest = join(root, 'deploy', 'k8s', `${service}.yaml`);
  if (!existsSync(manifest)) return [];
  const container = parseAllDocuments(readFileSync(manifest, 'utf8'))
    .map((doc) => doc.toJS())
    .find((object) => object?.kind === 'Deployment')?.spec.template.spec.containers[0];
  const command: string[] = container?.command ?? [];
  const env: { name: string; value?: string }[] = container?.env ?? [];
  const nodeOptions = env.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '';
  return [
    ...command.filter((item) => item.startsWith('--')),
    ...nodeOptions.split(/\s+/).filter(Boolean),
  ];
}

/**
 * A subgraph process's environment as production sets it, listening on `port`; `urls` are the
 * GraphQL endpoints of the other subgraphs it calls (users, nodes).
 */
function subgraphEnvironment(
  shared: SharedConfig,
  port: number,
  urls: Record<string, string>,
): Record<string, string | undefined> {
  const { base, signingKey } = shared;
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: base.databaseUrl,
    DATABASE_POOL_SIZE: String(base.databasePoolSize),
    REDIS_URL: base.redisUrl,
    REDIS_PREFIX: base.redisPrefix,
    JWT_PUBLIC_KEYS: JSON.stringify({ keys: base.publicKeys }),
    JWT_PRIVATE_KEY: JSON.stringify(signingKey),
    API_KEY_INTROSPECTION_URL: new URL(INTROSPECTION_PATH, urls.users).toString(),
    USERS_SUBGRAPH_URL: urls.users,
    NODES_URL: urls.nodes,
  };
}

/**
 * The RATE_LIMITS entries the build under `root` knows: a subgraph refuses a limit name it does
 * not have, and a baseline from before a limit was added (createUser) would not start.
 */
function rateLimitsKnownTo(root: string, rateLimits: string): string {
  const config = join(root, 'dist', 'subgraphs', 'kit', 'service-config.js');
  if (!existsSync(config)) return rateLimits;
  const source = readFileSync(config, 'utf8');
  return rateLimits
    .split(',')
    .filter((entry) => source.includes(`'${entry.split('=')[0]}'`))
    .join(',');
}

/**
 * One subgraph process as production runs it: `node dist/subgraphs/<name>/main.js` of the build
 * under `root`, with its manifest's node flags, configured by environment variables only.
 */
export function spawnSubgraph(options: {
  root: string;
  name: (typeof SUBGRAPH_NAMES)[number];
  shared: SharedConfig;
  port: number;
  /** The other subgraphs' GraphQL endpoints, by name. */
  urls: Record<string, string>;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): ChildProcess {
  const { root, name } = options;
  const entry = join(root, 'dist', 'subgraphs', name, 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first.`);
  const env = {
    ...subgraphEnvironment(options.shared, options.port, options.urls),
    ...options.env,
  };
  if (env.RATE_LIMITS) env.RATE_LIMITS = rateLimitsKnownTo(root, env.RATE_LIMITS);
  return spawn('node', [...manifestNodeOptions(root, name), ...(options.nodeArgs ?? []), entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The four subgraphs as production runs them: each its own `node dist/subgraphs/<name>/main.js`
 * process of the build under `root`, NODE_ENV=production, with its manifest's node flags,
 * configured by environment variables only. Each migrates its schema at start, as in production.
 */
export async function startSubgraphProcesses(options: {
  root: string;
  shared: SharedConfig;
  /** Extra node flags, e.g. --cpu-prof (a profile per process, written when it exits). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Those the benchmark needs, in SUBGRAPH_NAMES order; all four by default. */
  names?: readonly (typeof SUBGRAPH_NAMES)[number][];
}): Promise<SubgraphProcesses> {
  const names = options.names ?? SUBGRAPH_NAMES;
  const ports = await Promise.all(names.map(() => freePort()));
  const urls = Object.fromEntries(
    names.map((name, i) => [name, `http://127.0.0.1:${ports[i]}/graphql`]),
  );
  const { root, shared, nodeArgs, env } = options;
  const children = names.map((name, i) =>
    spawnSubgraph({ root, shared, nodeArgs, env, name, port: ports[i]!, urls }),
  );
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
  };
  try {
    for (const [i, name] of names.entries()) {
      for (let attempt = 0; !(await answersTypename(urls[name]!)); attempt++) {
        if (attempt > 1200 || children[i]!.exitCode !== null)
          throw new Error(`the ${name} subgraph of ${options.root} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, pids: children.map((child) => child.pid!), stop };
}

/** The whole system as production runs it: the subgraph processes, then a gateway process. */
export interface SystemProcesses {
  subgraphs: SubgraphProcesses;
  gateway: GatewayProcess;
  /** Stops the gateway, then the subgraphs. */
  stop(): Promise<void>;
}

export async function startSystemProcesses(options: {
  shared: SharedConfig;
  /** The build to run; this checkout's by default. */
  root?: string;
  /** Extra node flags for each subgraph process. */
  subgraphNodeArgs?: string[];
  subgraphEnv?: Record<string, string>;
  gatewayEnv: Record<string, string>;
  gateway?: GatewayProcessOptions;
}): Promise<SystemProcesses> {
  const root = options.root ?? ROOT;
  const subgraphs = await startSubgraphProcesses({
    root,
    shared: options.shared,
    nodeArgs: options.subgraphNodeArgs,
    env: options.subgraphEnv,
  });
  try {
    const gateway = await startGatewayProcess(
      { shared: options.shared, subgraphUrls: subgraphs.urls },
      options.gatewayEnv,
      { entry: join(root, 'dist', 'gateway', 'main.js'), ...options.gateway },
    );
    return {
      subgraphs,
      gateway,
      async stop() {
        await gateway.stop();
        await subgraphs.stop();
      },
    };
  } catch (error) {
    await subgraphs.stop();
    throw error;
  }
}

export interface BaselineBuild {
  /** The resolved commit. */
  commit: string;
  root: string;
  remove(): Promise<void>;
}

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/**
 * Builds `ref` in a temporary git worktree (BENCH_BASELINE), to run the same benchmark on the old
 * code side by side. The worktree borrows this checkout's node_modules when the lockfiles agree
 * (and installs its own with `npm ci` otherwise).
 */
/**
 * Whether this checkout's node_modules holds every package of `baseline`'s lockfile at the same
 * version (e.g. the baseline only lacks a package added since): then the baseline builds and runs
 * on it, instead of a fresh `npm ci` that takes minutes on a loaded machine.
 */
function lockfileSatisfied(baseline: string, current: string): boolean {
  type Lock = { packages?: Record<string, { version?: string }> };
  const wanted = (JSON.parse(baseline) as Lock).packages ?? {};
  const installed = (JSON.parse(current) as Lock).packages ?? {};
  return Object.entries(wanted).every(
    ([path, entry]) => path === '' || installed[path]?.version === entry.version,
  );
}

export function buildBaseline(ref: string): BaselineBuild {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const root = mkdtempSync(join(tmpdir(), `opsgraph-baseline-${commit.slice(0, 7)}-`));
  git(['worktree', 'add', '--detach', root, commit]);
  const remove = async () => {
    git(['worktree', 'remove', '--force', root]);
  };
  try {
    const sameLockfile = lockfileSatisfied(
      git(['show', `${commit}:package-lock.json`]),
      readFileSync(join(ROOT, 'package-lock.json'), 'utf8'),
    );
    if (sameLockfile) symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: root, stdio: 'inherit' },
    );
  } catch (error) {
    void remove();
    throw error;
  }
  return { commit, root, remove };
}

/** The few mutation fields the benchmarks read. */
export interface Result {
  accessToken: string;
  id: string;
  cursor: string;
}

/** One GraphQL request over HTTP that must succeed: the named field of its data. */
export async function mutate(
  url: string,
  field: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Result> {
  const body = await graphql<Record<string, Result>>(
    url,
    query,
    variables,
    token ? bearer(token) : {},
  );
  const result = body.data?.[field];
  if (!result) throw new Error(JSON.stringify(body.errors));
  return result;
}

export interface Subscriber {
  received: number;
  close(): void;
}

/**
 * What subscribers received, on the clock of the events' send times (`sent <ms>` in each body):
 * every delivery's latency, and per event when its first and its last delivery arrived — how
 * long the way to the gateway and through it took, apart from how long its fan-out took.
 */
export class Receipts {
  readonly latencies: number[] = [];
  /** Per event, by its send time: its first and last receipt. */
  private readonly events = new Map<number, { first: number; last: number }>();

  add(sentAt: number, receivedAt: number): void {
    this.latencies.push(receivedAt - sentAt);
    const event = this.events.get(sentAt);
    if (!event) this.events.set(sentAt, { first: receivedAt, last: receivedAt });
    else if (receivedAt > event.last) event.last = receivedAt;
  }

  clear(): void {
    this.latencies.length = 0;
    this.events.clear();
  }

  /** Per event, sorted: ms from its send to its first receipt, and from its first to its last. */
  perEvent(): { toFirst: number[]; firstToLast: number[] } {
    const events = [...this.events];
    const ascending = (a: number, b: number) => a - b;
    return {
      toFirst: events.map(([sentAt, { first }]) => first - sentAt).sort(ascending),
      firstToLast: events.map(([, { first, last }]) => last - first).sort(ascending),
    };
  }
}

/** A client-to-server WebSocket frame (RFC 6455 §5.2): FIN, `opcode`, masked with a zero key. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : 4;
  const frame = Buffer.alloc(header + 4 + length); // the 4 zero bytes are the masking key
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  payload.copy(frame, header + 4); // XOR with a zero key leaves it as it is
  return frame;
}

const textFrame = (message: object) => clientFrame(0x1, Buffer.from(JSON.stringify(message)));

/** Reads the decimal number at `at` in `data`. */
function readNumber(data: Buffer, at: number): number {
  let value = 0;
  for (let digit = data[at]! - 48; digit >= 0 && digit <= 9; digit = data[++at]! - 48)
    value = value * 10 + digit;
  return value;
}

const SENT = Buffer.from('sent ');
const ACK = Buffer.from('"connection_ack"');

/**
 * One graphql-ws subscriber following a channel's `messageAdded`, on a bare TCP socket: each
 * event's body carries its send time (`sent <ms> …`), so its delivery lands in `receipts`. A
 * benchmark holds up to 19,000 of these in one process, on the core it shares with the
 * subgraphs, PostgreSQL and Redis, and what they cost it counts as the gateway's latency:
 * with ws's client (its parser, a string and a JSON.parse per event) they took 211 ms of CPU per
 * event at 19,000 subscribers. This one reads the frames' bytes and takes the time once per read.
 */
export function subscribe(
  url: string,
  token: string,
  channelId: string,
  receipts: Receipts,
): Promise<Subscriber> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const subscriber: Subscriber = { received: 0, close: () => socket.destroy() };
    let upgraded = false;
    /** The start of a frame the last read ended in. */
    let rest: Buffer | null = null;
    socket.setNoDelay(true);
    socket.on('error', reject);
    socket.on('connect', () =>
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
      ),
    );
    const onText = (data: Buffer, from: number, to: number, receivedAt: number) => {
      const sent = data.indexOf(SENT, from);
      if (sent >= 0 && sent < to) {
        subscriber.received += 1;
        receipts.add(readNumber(data, sent + SENT.length), receivedAt);
      } else if (data.subarray(from, to).includes(ACK)) {
        socket.write(
          textFrame({
            id: '1',
            type: 'subscribe',
            payload: {
              query:
                'subscription ($c: ID!) { messageAdded(channelId: $c) { body author { username } } }',
              variables: { c: channelId },
            },
          }),
        );
        resolve(subscriber);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const receivedAt = Date.now();
      let data = rest ? Buffer.concat([rest, chunk]) : chunk;
      rest = null;
      if (!upgraded) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return void (rest = data);
        if (!data.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
          reject(new Error(`no upgrade: ${data.toString()}`));
          return void socket.destroy();
        }
        upgraded = true;
        data = data.subarray(end + 4);
        socket.write(
          textFrame({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
        );
      }
      let at = 0;
      while (data.length - at >= 2) {
        let length = data[at + 1]! & 0x7f;
        let header = 2;
        if (length === 126) {
          if (data.length - at < 4) break;
          length = data.readUInt16BE(at + 2);
          header = 4;
        } else if (length === 127) {
          if (data.length - at < 10) break;
          length = Number(data.readBigUInt64BE(at + 2));
          header = 10;
        }
        if (data.length - at < header + length) break;
        const opcode = data[at]! & 0x0f;
        const payload = at + header;
        if (opcode === 0x1) onText(data, payload, payload + length, receivedAt);
        else if (opcode === 0x9)
          socket.write(clientFrame(0xa, data.subarray(payload, payload + length)));
        at = payload + length;
      }
      if (at < data.length) rest = data.subarray(at);
    });
  });
}
