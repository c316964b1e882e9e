/**
 * `npm start` as a newcomer runs it — the real npm script, on the test database, with its own
 * redis-server — answers, and stops everything when npm is sent SIGTERM, as a process manager
 * or an editor's stop button does (Ctrl-C signals the whole process group; SIGTERM reaches npm
 * alone, which passes it on to its child).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { LoginDocument } from './__generated__/graphql';
import { createTestDatabase, type TestDatabase } from './support/database';
import { graphql } from './support/graphql';
import { isPortFree, processGroupAlive } from './support/processes';

const ROOT = join(__dirname, '..');
/** The gateway's port and the four after it, which the subgraphs take. */
const PORTS_TAKEN = 5;

/** A run of free ports, the first of them returned. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
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

let database: TestDatabase;
let dataDir: string;
let npm: ChildProcess;

afterAll(async () => {
  // Whatever is left of the run (its own process group), should the test have failed.
  if (npm?.pid) {
    try {
      process.kill(-npm.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('starts, answers, and stops every part of itself when npm gets SIGTERM', async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'opsgraph-npm-start-'));
  const port = await freePorts(PORTS_TAKEN);
  const redisPort = await freePorts(1);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOCAL_REDIS_PORT: String(redisPort),
    LOG_LEVEL: 'warn',
  };
  delete env.REDIS_URL;
  npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));

  for (let waited = 0; !output.includes('opsgraph is running'); waited += 200) {
    if (waited > 120_000 || npm.exitCode !== null) throw new Error(`npm start:\n${output}`);
    await setTimeout(200);
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  const login = await graphql(url, LoginDocument, {
    input: { usernameOrEmail: 'demo', password: 'demo-password' },
  });
  expect(login.errors).toBeUndefined();
  expect(login.data?.login.accessToken).toEqual(expect.any(String));

  process.kill(npm.pid!, 'SIGTERM');
  await exited;
  const ports = [...Array.from({ length: PORTS_TAKEN }, (_, i) => port + i), redisPort];
  let open = ports;
  for (
    let waited = 0;
    (open.length > 0 || processGroupAlive(npm.pid!)) && waited < 20_000;
    waited += 200
  ) {
    await setTimeout(200);
    const answering = await Promise.all(open.map(answers));
    open = open.filter((_, i) => answering[i]);
  }
  expect(open).toEqual([]);
  // Nothing of the run is left: its process group (npm's, detached above) is empty.
  expect(processGroupAlive(npm.pid!)).toBe(false);
  expect(output).toContain('Stopping');
});
