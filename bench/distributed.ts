/**
 * `npm run bench -- distributed`: what the distributed setup costs on one machine. Two setups,
 * one after the other in the same run, each the built services as production runs them:
 *
 * - single: one gateway process and one process of each subgraph, on one Redis
 *   (BENCH_REDIS_URL, the machine's by default);
 * - cluster: two gateway processes and two processes of each subgraph (gateway n calls subgraph
 *   set n), on a Redis Cluster of three primaries started for the run (test/support).
 *
 * Each setup gets a throughput run — autocannon on a chat page (a channel and its last 20
 * messages with their authors: messages and users subgraphs), BENCH_CONNECTIONS split over the
 * gateways — and a fan-out run — BENCH_SUBSCRIBERS graphql-ws subscribers to one channel's
 * `messageAdded`, spread over the gateways, while BENCH_RATE messages a second are posted for
 * BENCH_SECONDS: delivery latency (post sent → event received) and events lost.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { createTestDatabase } from '../test/support/database';
import { startRedisCluster } from '../test/support/redis-topologies';
import {
  benchSharedConfig,
  httpLoadSettings,
  machine,
  mutate,
  percentile,
  Receipts,
  record,
  REDIS_URL,
  startSystemProcesses,
  subscribe,
  type GatewayProcess,
  type Subscriber,
  UNLIMITED_RATE,
  UNLIMITED_SUBGRAPH_ENV,
} from './support';

const LOAD = httpLoadSettings(10);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 5);

const GATEWAY_ENV = {
  REQUEST_RATE_LIMIT: UNLIMITED_RATE,
  SUBSCRIPTIONS_PER_CONNECTION: '10',
  CONNECTIONS_PER_CREDENTIAL: '100000',
  SUBSCRIPTION_BUFFER_LIMIT: '100000',
};

interface Setup {
  name: string;
  gateways: GatewayProcess[];
  stop(): Promise<void>;
}

async function startSetup(name: string, redisUrl: string, replicas: number): Promise<Setup> {
  const database = await createTestDatabase();
  const shared = benchSharedConfig({ databaseUrl: database.url, redisUrl, logLevel: 'silent' });
  const stops: (() => Promise<void>)[] = [() => database.drop()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const gateways: GatewayProcess[] = [];
    // One replica after the other: the first migrates the schemas, the next finds them done.
    for (let replica = 0; replica < replicas; replica++) {
      const system = await startSystemProcesses({
        shared,
        subgraphEnv: UNLIMITED_SUBGRAPH_ENV,
        gatewayEnv: { ...GATEWAY_ENV, REDIS_URL: redisUrl },
      });
      stops.push(system.stop);
      gateways.push(system.gateway);
    }
    return { name, gateways, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const CHAT_PAGE = `query ($id: ID!) {
  channel(id: $id) { name messages(last: 20) { edges { node { body author { username } } } } }
}`;

async function seedChat(url: string) {
  const stamp = `${Date.now()}${randomBytes(2).toString('hex')}`;
  const { accessToken: token } = await mutate(
    url,
    'signUp',
    'mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
    {
      i: {
        organizationName: 'Bench',
        username: `bench${stamp}`,
        email: `bench${stamp}@example.com`,
        password: 'benchmark password',
      },
    },
  );
  const channel = async () =>
    (
      await mutate(
        url,
        'createChannel',
        'mutation ($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
        { i: { name: `bench-${randomBytes(4).toString('hex')}`, kind: 'PUBLIC' } },
        token,
      )
    ).id;
  const page = await channel();
  for (let n = 0; n < 20; n++) await post(url, token, page, `seed ${n}`);
  return { token, page, live: await channel() };
}

const post = (url: string, token: string, channelId: string, body: string) =>
  mutate(
    url,
    'postMessage',
    'mutation ($i: PostMessageInput!) { postMessage(input: $i) { id } }',
    { i: { channelId, body } },
    token,
  );

/** autocannon on every gateway at once, the connections split between them. */
async function throughput(setup: Setup, token: string, channelId: string) {
  // Only a page that answers whole is worth timing.
  for (const gateway of setup.gateways) {
    const answer = (await (
      await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: CHAT_PAGE, variables: { id: channelId } }),
      })
    ).json()) as { data?: { channel?: { messages: { edges: unknown[] } } }; errors?: unknown };
    if (answer.errors || answer.data?.channel?.messages.edges.length !== 20)
      throw new Error(`the chat page answered ${JSON.stringify(answer)}`);
  }
  const load = (seconds: number) =>
    Promise.all(
      setup.gateways.map((gateway) =>
        autocannon({
          url: gateway.url,
          method: 'POST',
          connections: Math.max(1, Math.round(LOAD.connections / setup.gateways.length)),
          duration: seconds,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: CHAT_PAGE, variables: { id: channelId } }),
        }),
      ),
    );
  await load(LOAD.warmUpSeconds);
  const results = await load(LOAD.seconds);
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    failed: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
  };
}

/** Subscribers spread over the gateways; posts through them in turn. */
async function fanOut(setup: Setup, token: string, channelId: string) {
  const receipts = new Receipts();
  const { latencies } = receipts;
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 200) {
    const batch = Math.min(200, SUBSCRIBERS - i);
    subscribers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, (_, j) =>
          subscribe(
            setup.gateways[(i + j) % setup.gateways.length]!.url,
            token,
            channelId,
            receipts,
          ),
        ),
      )),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2000)); // every subscription live upstream
  const total = RATE_PER_SECOND * LOAD.seconds;
  for (let sent = 0; sent < total; sent++) {
    const url = setup.gateways[sent % setup.gateways.length]!.url;
    await post(url, token, channelId, `sent ${Date.now()} #${sent}`);
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE_PER_SECOND));
  }
  const deadline = Date.now() + 30_000;
  while (subscribers.some((s) => s.received < total) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  for (const subscriber of subscribers) subscriber.close();
  latencies.sort((a, b) => a - b);
  return {
    deliveries: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    lost: subscribers.reduce((sum, s) => sum + Math.max(0, total - s.received), 0),
  };
}

async function measure(setup: Setup): Promise<string> {
  try {
    const chat = await seedChat(setup.gateways[0]!.url);
    const load = await throughput(setup, chat.token, chat.page);
    const events = await fanOut(setup, chat.token, chat.live);
    const load1 = loadavg()[0]!.toFixed(1);
    const row = `| ${setup.name} | ${setup.gateways.length} | ${load.requestsPerSecond.toFixed(0)} | ${load.p50} | ${load.p99} | ${load.failed} | ${events.deliveries.toLocaleString('en')} | ${events.p50} | ${events.p99} | ${events.max} | ${events.lost} | ${load1} |`;
    console.log(row);
    return row;
  } finally {
    await setup.stop();
  }
}

async function main(): Promise<void> {
  const rows = [await measure(await startSetup('single Redis', REDIS_URL, 1))];
  const cluster = await startRedisCluster(3);
  try {
    rows.push(await measure(await startSetup('Redis Cluster (3 primaries)', cluster.url, 2)));
  } finally {
    await cluster.stop();
  }
  const table = [
    '| setup | gateways (and processes per subgraph) | chat page req/s | p50 ms | p99 ms | failed | deliveries | delivery p50 ms | p99 ms | max ms | lost | load average (1 min) after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(table);
  record(
    'Distributed setup on one machine: one of each on one Redis vs. two of each on a Redis Cluster',
    `Method: \`npm run bench -- distributed\` (bench/distributed.ts). Built services as separate processes, NODE_ENV=production. "single Redis": one gateway and one process per subgraph on the machine's Redis. "Redis Cluster": two gateways and two processes per subgraph (gateway n calls subgraph set n; no load balancer), on three redis-server primaries formed with \`redis-cli --cluster create\`, REDIS_URL=redis+cluster://…. Throughput: autocannon, ${LOAD.connections} connections split over the gateways, ${LOAD.warmUpSeconds} s warm-up then ${LOAD.seconds} s, on a chat page (channel + last 20 messages with authors); p50/p99 are the worst gateway's. Fan-out: ${SUBSCRIBERS.toLocaleString('en')} graphql-ws subscribers to one channel's messageAdded, spread over the gateways, ${RATE_PER_SECOND} posts/s for ${LOAD.seconds} s through the gateways in turn; latency = receipt − send on one clock. One channel lives on one shard: this measures the cost of the distributed setup, not fan-out spread over shards. Everything (PostgreSQL, Redis, services, load generator, subscribers) shares the 2 cores, and the machine is shared with other work: figures are noisy, compare within the run only.\n\nMachine: ${machine()}.\n\n${table}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
