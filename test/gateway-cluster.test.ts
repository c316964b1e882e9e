/**
 * Cluster mode (GATEWAY_WORKERS): the gateway's real entry point as a child process runs that
 * many workers on one port, replaces a worker that dies, and stops them all on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { graphql } from './support/graphql';
import { waitFor } from './support/nodes';

let throwaway: Throwaway;
let primary: ChildProcess;
let url: string;
const readyWorkers: number[] = [];

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  throwaway = await startThrowawaySubgraphs();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  primary = spawn(process.execPath, ['--import', 'tsx', join('gateway', 'main.ts')], {
    cwd: join(__dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      GATEWAY_WORKERS: '2',
      SUPERGRAPH_PATH: throwaway.writeSupergraph(),
      JWT_PUBLIC_KEYS: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  primary.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; pid?: number; url?: string };
      if (entry.msg === 'gateway ready') readyWorkers.push(entry.pid!);
    }
  });
  await waitFor(() => readyWorkers.length === 2, 30_000);
  url = `http://127.0.0.1:${port}/graphql`;
}, 40_000);
afterAll(async () => {
  if (primary.exitCode === null) primary.kill('SIGKILL');
  await throwaway?.stop();
});

it('serves the port from two worker processes', async () => {
  expect(new Set(readyWorkers).size).toBe(2);
  expect(readyWorkers).not.toContain(primary.pid);
  const response = await graphql(url, '{ books { title onLoan } }');
  expect(response.data).toEqual({
    books: [
      { title: 'Dune', onLoan: false },
      { title: 'Solaris', onLoan: true },
    ],
  });
});

it('replaces a worker that dies', async () => {
  process.kill(readyWorkers[0]!, 'SIGKILL');
  await waitFor(() => readyWorkers.length === 3, 15_000);
  expect(isRunning(readyWorkers[2]!)).toBe(true);
  expect((await graphql(url, '{ books { title } }')).data).toBeTruthy();
}, 20_000);

it('stops every worker on SIGTERM, then exits cleanly', async () => {
  const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
  primary.kill('SIGTERM');
  expect(await exited).toBe(0);
  for (const pid of readyWorkers) expect(isRunning(pid)).toBe(false);
}, 20_000);
