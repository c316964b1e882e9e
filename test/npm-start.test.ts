/**
 * `npm start` as a newcomer runs it — the real npm script, with its own redis-server, on the
 * test database or its embedded PostgreSQL — answers, and leaves nothing running once stopped:
 * when npm alone is sent SIGTERM, as a process manager or an editor's stop button does (with
 * either database), and when the terminal it ran in closes (SIGHUP to the whole group, output
 * going nowhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { LoginDocument } from './__generated__/graphql';
import { createTestDatabase } from './support/database';
import { graphql } from './support/graphql';
import { isPortFree, processGroupAlive } from './support/processes';

const ROOT = join(__dirname, '..');
/** The gateway's port and the four after it, which the subgraphs take. */
const PORTS_TAKEN = 5;

/**
 * A run of free ports, the first of them returned. They are drawn below Linux's ephemeral range
 * (32768 and up): there, a port free now can be handed to another test's `listen(0)` or outgoing
 * connection before `npm start` binds it, as happened in CI.
 */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return first;
  }
  throw new Error('no run of free ports');
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });

interface Run {
  npm: ChildProcess;
  /** Every port it listens on. */
  ports: number[];
  output: () => string;
  cleanUp: () => Promise<void>;
}

const runs: Run[] = [];
afterAll(async () => {
  for (const run of runs) await run.cleanUp();
});

/** `npm start` on free ports, in a process group of its own, once it says it is running. */
async function npmStart(options: { embeddedPostgres: boolean }): Promise<Run> {
  const database = options.embeddedPostgres ? null : await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'opsgraph-npm-start-'));
  // The embedded PostgreSQL runs as the `postgres` user when this runs as root.
  chmodSync(dataDir, 0o755);
  const port = await freePorts(PORTS_TAKEN);
  const [redisPort, postgresPort] = [await freePorts(1), await freePorts(1)];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOCAL_REDIS_PORT: String(redisPort),
    EMBEDDED_POSTGRES_PORT: String(postgresPort),
    LOG_LEVEL: 'warn',
  };
  if (database) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const run: Run = {
    npm,
    ports: [
      ...Array.from({ length: PORTS_TAKEN }, (_, i) => port + i),
      redisPort,
      ...(database ? [] : [postgresPort]),
    ],
    output: () => output,
    async cleanUp() {
      // Whatever is left of the run, should the test have failed.
      if (processGroupAlive(npm.pid!)) process.kill(-npm.pid!, 'SIGKILL');
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  runs.push(run);
  for (let waited = 0; !output.includes('opsgraph is running'); waited += 200) {
    if (waited > 120_000 || npm.exitCode !== null) throw new Error(`npm start:\n${output}`);
    await setTimeout(200);
  }
  const login = await graphql(`http://127.0.0.1:${port}/graphql`, LoginDocument, {
    input: { usernameOrEmail: 'demo', password: 'demo-password' },
  });
  expect(login.errors).toBeUndefined();
  expect(login.data?.login.accessToken).toEqual(expect.any(String));
  return run;
}

/** Waits (up to 30 s) until none of the run's ports answers and its process group is empty. */
async function expectAllStopped(run: Run): Promise<void> {
  let open = run.ports;
  for (
    let waited = 0;
    (open.length > 0 || processGroupAlive(run.npm.pid!)) && waited < 30_000;
    waited += 200
  ) {
    await setTimeout(200);
    const answering = await Promise.all(open.map(answers));
    open = open.filter((_, i) => answering[i]);
  }
  expect(open).toEqual([]);
  // Nothing of the run is left: its process group (npm's, detached above) is empty.
  expect(processGroupAlive(run.npm.pid!)).toBe(false);
}

it('stops every part of itself when npm alone gets SIGTERM', async () => {
  const run = await npmStart({ embeddedPostgres: false });
  process.kill(run.npm.pid!, 'SIGTERM');
  await expectAllStopped(run);
  expect(run.output()).toContain('Stopping');
});

it('stops every part of itself, its PostgreSQL too, when npm alone gets SIGTERM', async () => {
  // embedded-postgres's own exit hook ends the process once its PostgreSQL has stopped, which
  // left the redis-server running (nothing else in the group gets the signal).
  const run = await npmStart({ embeddedPostgres: true });
  process.kill(run.npm.pid!, 'SIGTERM');
  await expectAllStopped(run);
});

it('stops every part of itself, its PostgreSQL too, when its terminal closes', async () => {
  const run = await npmStart({ embeddedPostgres: true });
  // The terminal is gone: what it writes has nowhere to go.
  run.npm.stdout!.destroy();
  run.npm.stderr!.destroy();
  process.kill(-run.npm.pid!, 'SIGHUP');
  await expectAllStopped(run);
});
