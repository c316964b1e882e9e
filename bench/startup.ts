/**
 * `npm run bench -- startup`: `npm start` — the README's command, TypeScript build included —
 * from a cold, empty DATA_DIR (a new temporary folder, so embedded PostgreSQL initialises from
 * scratch) to the first GraphQL query the gateway answers, then to the demo login working.
 * Each run ends with Ctrl-C as a terminal sends it (SIGINT to the whole process group) and
 * checks that nothing it started is left running.
 *
 * Then warm starts, as a developer restarts it: the same data folder again (PostgreSQL
 * initialised, the demo seeded) and the compiled output current, so no build runs.
 *
 * BENCH_RUNS=5 changes the number of cold runs (default 3), BENCH_WARM_RUNS the warm ones (3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalRunnerConfig } from '../dev/env';
import { DEMO } from '../dev/seed-demo';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { graphql } from '../test/support/graphql';
import { isPortFree, processGroupAlive } from '../test/support/processes';
import { machine, record, ROOT } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Warm starts: the data folder of the first cold run again, its database and demo in place. */
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 3);
const TIMEOUT_MS = 180_000;
/** The runner's first line, printed once its build is done and its modules are loaded. */
const FIRST_LINE = /(Initialising|Starting) embedded PostgreSQL/;
const READY_LINE = /opsgraph is running/;

/** `npm start` reads the same environment, so it will use these ports. */
function portsOfNpmStart(): { port: number; owner: string }[] {
  const config = loadLocalRunnerConfig();
  return [
    { port: config.PORT, owner: 'the gateway' },
    ...LOCAL_SUBGRAPHS.map(({ portOffset, name }) => ({
      port: config.PORT + portOffset,
      owner: `the ${name} subgraph`,
    })),
    { port: config.EMBEDDED_POSTGRES_PORT, owner: 'embedded PostgreSQL' },
    { port: config.LOCAL_REDIS_PORT, owner: 'the redis-server npm start runs' },
  ];
}

async function busyPorts(): Promise<string[]> {
  const busy: string[] = [];
  for (const { port, owner } of portsOfNpmStart())
    if (!(await isPortFree(port))) busy.push(`${port} (${owner})`);
  return busy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  /** Seconds from `npm start` to each milestone. */
  build: number;
  firstAnswer: number;
  /** The GraphiQL page served to a browser. */
  graphiql: number;
  ready: number;
  login: number;
}

/** npm start's output, and the moments lines of interest appear in it. */
function watchOutput(child: ChildProcess) {
  let text = '';
  const waiters: { pattern: RegExp; resolve(at: number): void; reject(error: Error): void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of waiters.splice(0))
      if (waiter.pattern.test(text)) waiter.resolve(performance.now());
      else waiters.push(waiter);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.once('exit', (code) => {
    for (const waiter of waiters.splice(0))
      waiter.reject(new Error(`npm start exited (${code}) before ${waiter.pattern}:\n${text}`));
  });
  return {
    text: () => text,
    /** When a line matching `pattern` appeared; fails if npm start exits first. */
    seen: (pattern: RegExp) =>
      new Promise<number>((resolve, reject) => waiters.push({ pattern, resolve, reject })),
  };
}

async function firstAnswer(url: string, child: ChildProcess): Promise<number> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const answered = await graphql(url, '{ __typename }').then(
      (response) => response.data?.__typename === 'Query',
      () => false,
    );
    if (answered) return performance.now();
    if (child.exitCode !== null) throw new Error('npm start exited before answering');
    if (performance.now() > deadline) throw new Error('no answer from the gateway in time');
    await sleep(25);
  }
}

interface Stopped {
  /** Seconds from Ctrl-C until every process of the group was gone. */
  stopSeconds: number;
  stoppedCleanly: boolean;
  note: string;
}

const CTRL_C_EXITS = new Set(['exit 0', 'exit SIGINT', 'exit 130']);

/** Ctrl-C, then waits for every process of the group to be gone and its ports freed. */
async function stop(child: ChildProcess): Promise<Stopped> {
  const pgid = child.pid!;
  const exited = new Promise<string>((resolve) => {
    const describe = () => `exit ${child.exitCode ?? child.signalCode}`;
    if (child.exitCode !== null || child.signalCode !== null) resolve(describe());
    else child.once('exit', () => resolve(describe()));
  });
  const sent = performance.now();
  process.kill(-pgid, 'SIGINT');
  const exit = await Promise.race([exited, sleep(30_000).then(() => 'still running after 30 s')]);
  for (let i = 0; i < 300 && processGroupAlive(pgid); i++) await sleep(100);
  const stopSeconds = (performance.now() - sent) / 1000;
  const left = processGroupAlive(pgid);
  // Ours to clean up: the group this benchmark started.
  if (left) process.kill(-pgid, 'SIGKILL');
  const busy = await busyPorts();
  // npm reports a Ctrl-C by re-raising the signal it forwarded once its script has exited, or
  // (seen since the script is npm's direct child) by exiting with 130, 128 + SIGINT, as shells do.
  const stoppedCleanly = CTRL_C_EXITS.has(exit) && !left && !busy.length;
  return {
    stopSeconds,
    stoppedCleanly,
    note: `${exit}; ${left ? 'processes left (killed)' : 'no process left'}; ports still bound: ${busy.join(', ') || 'none'}`,
  };
}

async function graphiqlServed(url: string): Promise<number> {
  const response = await fetch(url, { headers: { accept: 'text/html' } });
  if (response.status !== 200) throw new Error(`GraphiQL answered HTTP ${response.status}`);
  await response.text();
  return performance.now();
}

async function measureOnce(dataDir: string): Promise<Run & Stopped> {
  const busy = await busyPorts();
  if (busy.length > 0)
    throw new Error(
      `npm start needs these ports, which are in use: ${busy.join(', ')}. Stop what listens there (another \`npm start\`?) and run again.`,
    );
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  // Zero configuration, as the README runs it: its own PostgreSQL and Redis.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    // Its own process group, so Ctrl-C can be sent to all of it, as a terminal does.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = watchOutput(child);
  const built = output.seen(FIRST_LINE);
  const ready = output.seen(READY_LINE);
  // Awaited in turn below; a failure of either must not go unhandled meanwhile.
  built.catch(() => undefined);
  ready.catch(() => undefined);
  const seconds = (at: number) => (at - started) / 1000;
  const url = `http://127.0.0.1:${loadLocalRunnerConfig().PORT}/graphql`;
  try {
    const answered = await firstAnswer(url, child);
    const graphiqlAt = await graphiqlServed(url);
    const builtAt = await built;
    const readyAt = await ready;
    const login = await graphql(
      url,
      'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { usernameOrEmail: DEMO.username, password: DEMO.password } },
    );
    if (!login.data?.login) throw new Error(`demo login failed: ${JSON.stringify(login.errors)}`);
    const loggedIn = performance.now();
    const stopped = await stop(child);
    // The runner stops everything itself on SIGINT; anything it reports then is a failure.
    const shutdownOutput = output.text().split('Stopping…')[1]?.trim() ?? '';
    if (/error/i.test(shutdownOutput)) {
      stopped.stoppedCleanly = false;
      stopped.note += `; while stopping: ${shutdownOutput.slice(0, 300)}`;
    }
    return {
      build: seconds(builtAt),
      firstAnswer: seconds(answered),
      graphiql: seconds(graphiqlAt),
      ready: seconds(readyAt),
      login: seconds(loggedIn),
      ...stopped,
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summary(runs: (Run & Stopped)[]): string {
  const cell = (value: number) => value.toFixed(1);
  const column = (pick: (run: Run & Stopped) => number) => cell(median(runs.map(pick)));
  return [
    '| run | until the runner starts (s) | first answer (s) | GraphiQL page (s) | "opsgraph is running" (s) | demo login answered (s) | Ctrl-C until all gone (s) | stopped cleanly |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...runs.map(
      (run, i) =>
        `| ${i + 1} | ${cell(run.build)} | ${cell(run.firstAnswer)} | ${cell(run.graphiql)} | ${cell(run.ready)} | ${cell(run.login)} | ${cell(run.stopSeconds)} | ${run.stoppedCleanly ? 'yes' : `no: ${run.note}`} |`,
    ),
    `| median | ${column((r) => r.build)} | ${column((r) => r.firstAnswer)} | ${column((r) => r.graphiql)} | ${column((r) => r.ready)} | ${column((r) => r.login)} | ${column((r) => r.stopSeconds)} | |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const loadAverage = loadavg()[0]!.toFixed(1);
  const folders: string[] = [];
  const runs = async (count: number, label: string, folder: () => string) => {
    const done: (Run & Stopped)[] = [];
    for (let i = 1; i <= count; i++) {
      const run = await measureOnce(folder());
      done.push(run);
      console.log(
        `${label} ${i}: runner ${run.build.toFixed(1)} s, first answer ${run.firstAnswer.toFixed(1)} s, GraphiQL ${run.graphiql.toFixed(1)} s, ready ${run.ready.toFixed(1)} s, demo login ${run.login.toFixed(1)} s, stopped in ${run.stopSeconds.toFixed(1)} s${run.stoppedCleanly ? '' : ` — NOT STOPPED CLEANLY: ${run.note}`}`,
      );
    }
    return done;
  };
  try {
    const cold = await runs(RUNS, 'cold', () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'opsgraph-startup-'));
      // Run as root, embedded PostgreSQL runs as a `postgres` user, which must reach its folder.
      chmodSync(dataDir, 0o755);
      folders.push(dataDir);
      return dataDir;
    });
    const warm = await runs(WARM_RUNS, 'warm', () => folders[0]!);
    const table = `Cold (a new data folder each run):\n\n${summary(cold)}\n\nWarm (the first run's data folder again, nothing to compile):\n\n${summary(warm)}`;
    console.log(table);
    record(
      'Start-up: `npm start` from a cold data directory',
      [
        `Method: \`npm start\` exactly as the README runs it — its up-to-date check (\`npm run bench\` has just built, so nothing is compiled) and then the runner. Cold runs use an empty, new DATA_DIR each (embedded PostgreSQL initialises its cluster from scratch), no DATABASE_URL or REDIS_URL (its own redis-server), default ports. Times are from spawning \`npm start\`: "until the runner starts" is until its first line (the check plus loading the runner's modules), "first answer" until \`{ __typename }\` POSTed to the gateway every 25 ms first answers, then the GraphiQL page as a browser asks for it, the runner's ready line (after it seeded the demo organization) and the demo login answered. Each run ends with SIGINT to the process group (Ctrl-C in a terminal), and checks that npm start exited (by the SIGINT npm re-raises once its script has stopped, or 0), no process of the group is left and every port is free again. ${RUNS} cold runs, then ${WARM_RUNS} warm runs on the first cold run's data folder (PostgreSQL initialised, demo seeded).`,
        `Machine: ${machine()}; 1-minute load average when the run began: ${loadAverage} (a shared machine).`,
        table,
      ].join('\n\n'),
    );
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
