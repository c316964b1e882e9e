/**
 * `npm run bench -- restart`: how long a subgraph process takes from its spawn until it answers
 * `{ __typename }` — what the fault suite times after each SIGKILL, which issue 12 wants under
 * 5 s. Each subgraph as production runs it (built JavaScript, NODE_ENV=production, its manifest's
 * node flags) starts again beside the running system, on its migrated database and the local
 * Redis, and is killed once it answers. BENCH_ROUNDS (5) rounds per subgraph; with
 * BENCH_BASELINE=<ref>, that commit's build takes turns with this one in every round (on its own
 * database, migrated by its own subgraphs).
 */
import { execFileSync } from 'node:child_process';
import { answersTypename } from '../platform/http';
import { freePort } from '../test/support/processes';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import {
  benchSharedConfig,
  buildBaseline,
  machine,
  percentile,
  record,
  ROOT,
  startSubgraphProcesses,
  spawnSubgraph,
  SUBGRAPH_NAMES,
  type SubgraphProcesses,
} from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BASELINE = process.env.BENCH_BASELINE;
const POLL_MS = 10;

interface Build {
  label: string;
  root: string;
  database: TestDatabase;
  shared: ReturnType<typeof benchSharedConfig>;
  running: SubgraphProcesses;
  /** Milliseconds to answer, per subgraph. */
  times: Map<string, number[]>;
}

/** Spawns one more process of `name` from `build`, and the ms until it answered; then kills it. */
async function timeStart(build: Build, name: (typeof SUBGRAPH_NAMES)[number]): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = performance.now();
  const child = spawnSubgraph({
    root: build.root,
    shared: build.shared,
    name,
    port,
    urls: build.running.urls,
  });
  try {
    while (!(await answersTypename(url))) {
      if (child.exitCode !== null) throw new Error(`${name} of ${build.label} exited`);
      if (performance.now() - started > 60_000) throw new Error(`${name} did not answer in 60 s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return performance.now() - started;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

async function startBuild(label: string, root: string): Promise<Build> {
  const database = await createTestDatabase();
  const shared = benchSharedConfig({ databaseUrl: database.url, logLevel: 'warn' });
  const running = await startSubgraphProcesses({ root, shared });
  return { label, root, database, shared, running, times: new Map() };
}

async function main(): Promise<void> {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const baseline = BASELINE ? buildBaseline(BASELINE) : null;
  const builds: Build[] = [];
  try {
    builds.push(await startBuild(`${commit.trim()} (this)`, ROOT));
    if (baseline)
      builds.push(await startBuild(`${baseline.commit.slice(0, 7)} (baseline)`, baseline.root));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which build goes first, so neither always meets a warmer page cache.
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const name of SUBGRAPH_NAMES) {
        for (const build of order) {
          const ms = await timeStart(build, name);
          build.times.set(name, [...(build.times.get(name) ?? []), ms]);
          console.log(`round ${round + 1} ${name} ${build.label}: ${ms.toFixed(0)} ms`);
        }
      }
    }
  } finally {
    for (const build of builds) {
      await build.running.stop();
      await build.database.drop();
    }
    await baseline?.remove();
  }
  const rows = SUBGRAPH_NAMES.flatMap((name) =>
    builds.map((build) => {
      const sorted = [...build.times.get(name)!].sort((a, b) => a - b);
      return `| ${name} | ${build.label} | ${sorted.length} | ${percentile(sorted, 50).toFixed(0)} | ${sorted[0]!.toFixed(0)} | ${sorted.at(-1)!.toFixed(0)} |`;
    }),
  );
  const table = [
    '| subgraph | build | starts | median ms to answer | fastest | slowest |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(table);
  record(
    'Restart: a subgraph process from its spawn until it answers',
    `Method: \`npm run bench -- restart\`: each subgraph as production runs it (\`node dist/subgraphs/<name>/main.js\` with its manifest's node flags, NODE_ENV=production, configured by environment variables) is started again beside the running system, on its migrated database and the local Redis, and timed from its spawn until it answers \`{ __typename }\` with 200 (polled every ${POLL_MS} ms, as the fault suite times a restart), then killed. ${ROUNDS} rounds${baseline ? `; ${baseline.commit.slice(0, 7)} (BENCH_BASELINE) takes turns with this build in every round, the order alternating` : ''}; nothing else loads the machine.\n\nMachine: ${machine()}.\n\n${table}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
