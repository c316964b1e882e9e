/**
 * `npm run bench -- reconnect-storm`: 1,000 graphql-ws subscribers follow `messageAdded` in 10
 * channels of one organization through one gateway process; the gateway stops, 100 messages are posted in each channel
 * meanwhile (straight to the messages subgraph), a new gateway starts, and every subscriber
 * reconnects at once with the cursor of the last message it received. Measures the time from the
 * reconnections until every backlog is delivered, and the messages lost and duplicated.
 *
 * The system runs as production does: the users and messages subgraphs (and the two others) as
 * their own processes of the build (`dist/`, NODE_ENV=production), the gateway as another, pinned
 * to core 0; only the subscribers' sockets live in the benchmark process.
 *
 * Subscribers are BENCH_STORM_USERS distinct users (10 by default; subscriber i is user i mod
 * users in channel i mod 10): those with the same user and channel resume with the same cursor,
 * as a user's tabs do, and share one upstream subscription.
 *
 * BENCH_BASELINE=<git ref> also builds that commit and takes turns with it: each contender has its
 * own subgraph processes on the same database and Redis; each round stops the gateway, posts the
 * backlogs, and restarts the next contender's gateway (BENCH_ROUNDS rounds per contender, 1 by
 * default). BENCH_PROFILE=1 runs the restarted gateways and the subgraphs under --cpu-prof
 * (profiles in .bench-profiles/reconnect-storm/<contender>/, with the storm windows beside them;
 * `npx tsx bench/profile.ts` sums them).
 */
import { join as joinPath } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { createChannel, join } from '../test/support/messages';
import { addUser, signUp } from '../test/support/seed';
import { createTestDatabase } from '../test/support/database';
import { WINDOWS_FILE, type ProfileWindow } from './profile';
import {
  benchSharedConfig,
  buildBaseline,
  machine,
  MANY_SUBSCRIBERS_GATEWAY_ENV,
  mutate,
  processCpuMs,
  record,
  ROOT,
  startGatewayProcess,
  startSubgraphProcesses,
  uptimeMicros,
  type GatewayProcess,
  type SubgraphProcesses,
  UNLIMITED_SUBGRAPH_ENV,
} from './support';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const CHANNELS = 10;
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 100);
const USERS = Number(process.env.BENCH_STORM_USERS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const PROFILE = process.env.BENCH_PROFILE === '1';
/** How long a round waits for every backlog before counting what is missing as lost. */
const DEADLINE_MS = 120_000;

const SUBSCRIPTION = `subscription ($c: ID!, $after: String) {
  messageAdded(channelId: $c, after: $after) { id cursor body author { username displayName } }
}`;

interface Subscriber {
  token: string;
  channel: number;
  after: string;
  received: string[];
  socket?: WebSocket;
}

/** Opens one socket and subscribes; resolves once the subscription is sent. */
function connect(url: string, subscriber: Subscriber, channelId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    subscriber.socket = socket;
    socket.on('error', reject);
    socket.on('open', () =>
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: `Bearer ${subscriber.token}` },
        }),
      ),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { messageAdded: { id: string } } };
      };
      if (message.type === 'connection_ack') {
        const variables = { c: channelId, after: subscriber.after };
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: SUBSCRIPTION, variables },
          }),
        );
        resolve();
      } else if (message.type === 'next' && message.payload?.data) {
        subscriber.received.push(message.payload.data.messageAdded.id);
      }
    });
  });
}

interface Contender {
  name: string;
  root: string;
  subgraphs: SubgraphProcesses;
  profileDir: string;
  /** The storm windows, in the profiles' clock (bench/profile.ts reads them). */
  windows: ProfileWindow[];
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const shared = benchSharedConfig({ databaseUrl: database.url, logLevel: 'silent' });
  const env = MANY_SUBSCRIBERS_GATEWAY_ENV;
  const baseline = process.env.BENCH_BASELINE ? buildBaseline(process.env.BENCH_BASELINE) : null;
  const builds = [
    { name: 'this build', root: ROOT },
    ...(baseline ? [{ name: `baseline ${baseline.commit.slice(0, 7)}`, root: baseline.root }] : []),
  ];
  const contenders: Contender[] = [];
  let gateway: GatewayProcess | undefined;
  try {
    // One build after the other: the first migrates the schemas, the next finds them done.
    for (const build of builds) {
      const profileDir = joinPath(ROOT, '.bench-profiles', 'reconnect-storm', build.name);
      if (PROFILE) rmSync(profileDir, { recursive: true, force: true });
      const subgraphs = await startSubgraphProcesses({
        root: build.root,
        shared,
        env: UNLIMITED_SUBGRAPH_ENV,
        nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      });
      contenders.push({ ...build, subgraphs, profileDir, windows: [] });
    }
    const startGateway = (contender: Contender, profile: boolean) =>
      startGatewayProcess({ shared, subgraphUrls: contender.subgraphs.urls }, env, {
        core: 0,
        entry: joinPath(contender.root, 'dist', 'gateway', 'main.js'),
        nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${contender.profileDir}`] : [],
      });
    const first = await startGateway(contenders[0]!, false);
    gateway = first;
    const messagesUrl = contenders[0]!.subgraphs.urls.messages!;
    // One organization: its admin creates the channels and the other users, who join the
    // channels their subscribers follow (subscriber i: user i mod USERS, channel i mod CHANNELS).
    const admin = await signUp(first.url);
    const channels: string[] = [];
    const starts: string[] = [];
    const post = (token: string, channelId: string, body: string) =>
      mutate(
        messagesUrl,
        'postMessage',
        'mutation ($i: PostMessageInput!) { postMessage(input: $i) { id cursor } }',
        { i: { channelId, body } },
        token,
      );
    for (let c = 0; c < CHANNELS; c++) {
      const channel = await createChannel(first.url, admin);
      channels.push(channel.id);
      starts.push((await post(admin.accessToken, channel.id, 'caught up here')).cursor);
    }
    const channelsOf = (user: number) => {
      const followed = new Set<number>();
      for (let i = user; i < SUBSCRIBERS; i += USERS) followed.add(i % CHANNELS);
      return followed;
    };
    const tokens: string[] = [admin.accessToken];
    for (let u = 1; u < USERS; u += 8) {
      const batch = Array.from({ length: Math.min(8, USERS - u) }, (_, k) => u + k);
      const users = await Promise.all(
        batch.map(async (user) => {
          const signedIn = await addUser(first.url, admin, 'DEVELOPER');
          for (const c of channelsOf(user)) await join(first.url, signedIn, channels[c]!);
          return signedIn;
        }),
      );
      tokens.push(...users.map((user) => user.accessToken));
    }
    const subscribers: Subscriber[] = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
      token: tokens[i % USERS]!,
      channel: i % CHANNELS,
      after: starts[i % CHANNELS]!,
      received: [],
    }));
    const channelOf = (s: Subscriber) => channels[s.channel]!;
    for (let i = 0; i < subscribers.length; i += 200)
      await Promise.all(
        subscribers.slice(i, i + 200).map((s) => connect(first.url, s, channelOf(s))),
      );

    const rows: string[] = [];
    // Contenders take turns, so a drift in the machine's load hits both alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const contender of contenders) {
        // The gateway goes away; the backlog piles up meanwhile.
        await gateway?.stop();
        gateway = undefined;
        for (const s of subscribers) s.socket?.terminate();
        const expected = new Map<string, string[]>();
        const lastCursor = new Map<string, string>();
        for (const channelId of channels) {
          const posted: string[] = [];
          for (let n = 0; n < BACKLOG; n++) {
            const message = await post(admin.accessToken, channelId, `backlog ${n}`);
            posted.push(message.id);
            lastCursor.set(channelId, message.cursor);
          }
          expected.set(channelId, posted);
        }
        for (const s of subscribers) s.received = [];
        const restarted = await startGateway(contender, PROFILE);
        gateway = restarted;
        const load = loadavg()[0]!;
        // CPU of each process from the reconnections until every backlog is delivered.
        const [usersPid, , messagesPid] = contender.subgraphs.pids as [number, number, number];
        const cpu = () => ({
          gateway: restarted.cpuMs(),
          users: processCpuMs(usersPid),
          messages: processCpuMs(messagesPid),
          bench: processCpuMs(process.pid),
        });
        const cpuBefore = cpu();
        const from = uptimeMicros();
        const started = performance.now();
        await Promise.all(subscribers.map((s) => connect(restarted.url, s, channelOf(s))));
        const connectedMs = performance.now() - started;
        const deadline = Date.now() + DEADLINE_MS;
        while (subscribers.some((s) => s.received.length < BACKLOG) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        const deliveredMs = performance.now() - started;
        contender.windows.push({ from, to: uptimeMicros() });
        const cpuAfter = cpu();
        const cpuMs = cpuAfter.gateway - cpuBefore.gateway;
        const otherCpu = (['messages', 'users', 'bench'] as const)
          .map((name) => ((cpuAfter[name] - cpuBefore[name]) / 1000).toFixed(1))
          .join(' | ');
        await new Promise((r) => setTimeout(r, 1000)); // late duplicates would show by now
        let lost = 0;
        let duplicated = 0;
        let outOfOrder = 0;
        let received = 0;
        for (const s of subscribers) {
          const want = expected.get(channelOf(s))!;
          const got = new Set(s.received);
          lost += want.filter((id) => !got.has(id)).length;
          duplicated += s.received.length - got.size;
          received += got.size;
          if (s.received.join() !== want.join() && got.size === want.length) outOfOrder += 1;
        }
        rows.push(
          `| ${contender.name} | ${SUBSCRIBERS.toLocaleString('en')} | ${BACKLOG} | ${USERS} × ${CHANNELS} | ${(connectedMs / 1000).toFixed(1)} | ${(deliveredMs / 1000).toFixed(1)} | ${lost} | ${duplicated} | ${outOfOrder} | ${cpuMs.toFixed(0)} | ${received ? ((cpuMs * 1000) / received).toFixed(0) : '–'} | ${otherCpu} | ${load.toFixed(1)} |`,
        );
        console.log(rows.at(-1));
        // Everyone is caught up (or counted as lost): the next round resumes from the end.
        for (const s of subscribers) s.after = lastCursor.get(channelOf(s))!;
      }
    }
    const table = [
      '| build | subscribers | backlog each | users × channels | all reconnected (s) | every backlog delivered (s) | lost | duplicated | out of order | gateway CPU ms | gateway CPU µs per event delivered | messages subgraph CPU s | users subgraph CPU s | benchmark process CPU s | load average (1 min) |',
      '| :-- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n');
    console.log(table);
    for (const s of subscribers) s.socket?.terminate();
    record(
      'Reconnect storm: every subscriber resumes 100 messages behind after a gateway restart',
      `Method: the system as production runs it, on the same machine: the built gateway as one process pinned to core 0, each subgraph its own process of the same build (\`dist/\`, NODE_ENV=production, its manifest's node flags), PostgreSQL and Redis; the subscribers' sockets in the benchmark process. ${SUBSCRIBERS} raw graphql-ws subscribers (one socket each) follow \`messageAdded\` selecting \`author { username displayName }\` (an entity fetch to the users subgraph per event) in ${CHANNELS} channels of one organization, as ${USERS} distinct users (subscriber i is user i mod ${USERS} in channel i mod ${CHANNELS}; subscribers with the same user and channel resume with the same cursor and share one upstream subscription); the gateway stops, ${BACKLOG} messages are posted in every channel, a new gateway process starts and every subscriber reconnects at once with the cursor it last received. Time from the first reconnection until every subscriber has its ${BACKLOG} messages (waiting ${DEADLINE_MS / 1000} s at most); then lost (still missing then), duplicated and out-of-order counts against the stored messages; CPU of the gateway (also per event delivered), the messages and users subgraph processes and the benchmark process from the reconnections until every backlog was delivered.${baseline ? ` The baseline (\`BENCH_BASELINE=${process.env.BENCH_BASELINE}\`, ${baseline.commit.slice(0, 7)}) is built in a temporary git worktree and runs its own subgraph processes on the same database and Redis; the contenders take turns, ${ROUNDS} round(s) each, every round with a fresh backlog.` : ''}\n\nMachine: ${machine()}; the 1-minute load average when each round began is in the last column.\n\n${table}`,
    );
  } finally {
    await gateway?.stop();
    for (const contender of contenders) {
      await contender.subgraphs.stop();
      if (PROFILE)
        writeFileSync(
          joinPath(contender.profileDir, WINDOWS_FILE),
          JSON.stringify(contender.windows),
        );
    }
    await database.drop();
    await baseline?.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
