/**
 * `npm run bench -- write-floor`: what one core needs to write one small frame to each of N
 * loopback TCP sockets, with nothing else — the floor under a gateway's fan-out of one event to N
 * WebSocket subscribers (bench/subscriptions.ts), which cannot deliver to its last subscriber
 * sooner than this. A writer process pinned to core 0 (as the gateway is there) holds N sockets
 * to a reader (this process, kept off core 0) and, round after round, writes a 120-byte frame
 * (the size of a chat event's `next` frame) to each: wall and CPU time per round.
 *
 * BENCH_SOCKETS (default 19000) and BENCH_ROUNDS (default 10) adjust it.
 */
import { execFileSync, fork } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import {
  kernelSplitMethod,
  leaveCoreToGateway,
  machine,
  percent,
  percentile,
  record,
  sampleCore,
} from './support';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 19_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const FRAME_BYTES = 120;
const CORE = 0;

interface Round {
  wallMs: number;
  cpuMs: number;
  systemMs: number;
}

/** The writer: connects, then writes one frame per socket per round, reporting each round. */
async function writer(port: number): Promise<void> {
  const sockets: Socket[] = [];
  for (let i = 0; i < SOCKETS; i += 500) {
    const batch = Math.min(500, SOCKETS - i);
    await Promise.all(
      Array.from(
        { length: batch },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', resolve);
            socket.setNoDelay(true);
            socket.on('error', reject);
            sockets.push(socket);
          }),
      ),
    );
  }
  process.send!('connected');
  const frame = Buffer.alloc(FRAME_BYTES, 'a');
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const socket of sockets) socket.write(frame);
    const used = process.cpuUsage(cpu);
    process.send!({
      wallMs: Number(process.hrtime.bigint() - started) / 1e6,
      cpuMs: (used.user + used.system) / 1000,
      systemMs: used.system / 1000,
    } satisfies Round);
  }
  process.exit(0);
}

async function main(): Promise<void> {
  const steering = leaveCoreToGateway(CORE);
  let received = 0;
  const server = createServer((socket) => socket.on('data', (data) => (received += data.length)));
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;
  const child = fork(__filename, ['--writer', String(port)]);
  execFileSync('taskset', ['-apc', String(CORE), String(child.pid)]);
  const rounds: Round[] = [];
  // The core is sampled from when the writer has connected (its first round is 0.5 s away).
  let sampling: ReturnType<typeof sampleCore> | undefined;
  child.on('message', (message: Round | 'connected') => {
    if (message === 'connected') sampling = sampleCore(CORE);
    else rounds.push(message);
  });
  await new Promise((resolve) => child.once('exit', resolve));
  server.close();
  const receiving = await sampling?.stop(child.pid!);
  const expected = SOCKETS * ROUNDS * FRAME_BYTES;
  const median = (pick: (round: Round) => number) =>
    percentile(
      rounds.map(pick).sort((a, b) => a - b),
      50,
    );
  const row = `| ${SOCKETS.toLocaleString('en')} | ${FRAME_BYTES} B | ${rounds.length} | ${median((r) => r.wallMs).toFixed(0)} ms | ${median((r) => r.cpuMs).toFixed(0)} ms | ${median((r) => r.systemMs).toFixed(0)} ms | ${((1000 * median((r) => r.wallMs)) / SOCKETS).toFixed(1)} µs | ${received === expected ? 'all' : `${received} of ${expected} bytes`} | ${receiving == null ? 'n/a' : percent(receiving)} |`;
  const table = [
    "| sockets | frame | rounds | wall per round (median) | CPU per round | of it system | per write | read back | of it in loopback's receiving side |",
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    row,
  ].join('\n');
  console.log(table);
  record(
    'Write floor: one frame to each of N loopback sockets from one core',
    `Method: \`npm run bench -- write-floor\` (bench/write-floor.ts): a Node process pinned to core 0 (\`taskset\`), as the gateway is in the subscriptions benchmark, holds ${SOCKETS.toLocaleString('en')} TCP connections over loopback to a reader process kept off core 0, and each round writes one ${FRAME_BYTES}-byte buffer to every socket (\`socket.write\`, nothing else: no framing, no JSON, no event); wall and CPU time of the writing loop per round, median over ${rounds.length} rounds half a second apart. This is the least a fan-out of one event to as many WebSocket subscribers costs on this machine's kernel, whatever the server does around it. ${kernelSplitMethod('the writer', CORE)}${steering}\n\nMachine: ${machine()}.\n\n${table}`,
  );
}

if (process.argv[2] === '--writer') void writer(Number(process.argv[3]));
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
