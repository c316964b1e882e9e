/**
 * `npm run bench -- subscriptions`: one gateway process (pinned to one core) fanning one chat
 * channel's messageAdded out to 1,000 / 5,000 / 10,000 concurrent subscribers, one connection
 * each — graphql-ws, GraphQL over SSE or multipart HTTP (BENCH_TRANSPORTS) — while messages are
 * posted at a steady rate. Measures delivery latency (post sent → event received, same clock),
 * per message the time to its first subscriber and from there to its last (the fan-out), events
 * lost (must be 0), and the gateway's memory per
 * subscriber (RSS growth over the subscribed population) and its CPU per event.
 * BENCH_BASELINE=<git ref> runs that commit's gateway too, taking turns at each size;
 * BENCH_WARMUP_EVENTS (4) events go first, untimed.
 */
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../test/support/processes';
import { createTestDatabase } from '../test/support/database';
import { WINDOWS_FILE, type ProfileWindow } from './profile';
import {
  benchSharedConfig,
  buildBaseline,
  kernelSplitMethod,
  machine,
  MANY_SUBSCRIBERS_GATEWAY_ENV,
  mutate,
  percent,
  percentile,
  Receipts,
  record,
  retainedMemory,
  sampleCore,
  ROOT,
  startGatewayProcess,
  startSubgraphProcesses,
  leaveCoreToGateway,
  subscribe as subscribeGraphqlWs,
  type Subscriber,
  type GatewayProcess,
  UNLIMITED_SUBGRAPH_ENV,
  uptimeMicros,
} from './support';

const SIZES = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000,10000').split(',').map(Number);
const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 2);
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/**
 * Events posted and delivered before the measured ones, neither timed nor counted in the CPU:
 * a gateway's first few fan-outs to thousands of sockets run while V8 is still compiling the
 * delivery path — on the same core, when the gateway is pinned to one — and took 250–375 ms at
 * 19,000 subscribers where later ones took about 200 ms. A gateway in service has long been
 * past that; lost events are counted over these too.
 */
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 4);

type Transport = 'graphql-ws' | 'sse' | 'multipart';
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'graphql-ws,sse,multipart').split(
  ',',
) as Transport[];

const QUERY = 'subscription ($c: ID!) { messageAdded(channelId: $c) { body author { username } } }';

type Result = { data: { messageAdded: { body: string } } };

/** Counts a delivered result and records it by the send time in its body. */
const receive = (subscriber: Subscriber, receipts: Receipts, result: Result) => {
  subscriber.received += 1;
  receipts.add(Number(result.data.messageAdded.body.split(' ')[1]), Date.now());
};

/**
 * One HTTP response per subscriber, parsed as it streams: SSE events (`event: next`) or
 * multipart parts (`{"payload": …}`; `{}` heartbeats skipped).
 */
function subscribeOverHttp(
  transport: 'sse' | 'multipart',
  url: string,
  token: string,
  channelId: string,
  receipts: Receipts,
): Promise<Subscriber> {
  const separator = transport === 'sse' ? '\n\n' : '\r\n--graphql';
  const parse = (chunk: string): Result | null => {
    if (transport === 'sse') {
      const data = /^event: next\ndata: (.*)$/s.exec(chunk)?.[1];
      return data ? (JSON.parse(data) as Result) : null;
    }
    const body = chunk.slice(chunk.indexOf('\r\n\r\n') + 4);
    return body.startsWith('{"payload"') ? (JSON.parse(body) as { payload: Result }).payload : null;
  };
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: transport === 'sse' ? 'text/event-stream' : 'multipart/mixed;subscriptionSpec=1.0',
        authorization: `Bearer ${token}`,
      },
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query: QUERY, variables: { c: channelId } }));
    request.on('response', (response) => {
      const subscriber: Subscriber = { received: 0, close: () => request.destroy() };
      let buffer = '';
      response.setEncoding('utf8');
      response.on('error', () => undefined);
      response.on('data', (text: string) => {
        buffer += text;
        let end;
        while ((end = buffer.indexOf(separator)) !== -1) {
          const result = parse(buffer.slice(0, end));
          buffer = buffer.slice(end + separator.length);
          if (result) receive(subscriber, receipts, result);
        }
      });
      resolve(subscriber);
    });
  });
}

const subscribe = (
  transport: Transport,
  url: string,
  token: string,
  channelId: string,
  receipts: Receipts,
) =>
  transport === 'graphql-ws'
    ? subscribeGraphqlWs(url, token, channelId, receipts)
    : subscribeOverHttp(transport, url, token, channelId, receipts);

/** The core the gateway under test has to itself. */
const GATEWAY_CORE = 0;

/** BENCH_PROFILE=1: the gateways under --cpu-prof, profiles in .bench-profiles/subscriptions/. */
const PROFILE = process.env.BENCH_PROFILE === '1';

interface Contender {
  name: string;
  gateway: GatewayProcess;
  profileDir: string;
  /** While events were posted and delivered, in the profile's clock (bench/profile.ts). */
  windows: ProfileWindow[];
  /** Where its inspector opens when retainedMemory asks. */
  inspectPort: number;
}

/** One population of `size` subscribers over `transport` on one gateway: its table row. */
async function measure(
  contender: Contender,
  transport: Transport,
  token: string,
  size: number,
): Promise<string> {
  const { gateway } = contender;
  const createChannel = await mutate(
    gateway.url,
    'createChannel',
    'mutation ($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: `bench-${transport}-${size}-${Date.now()}`, kind: 'PUBLIC' } },
    token,
  );
  // Both figures start from a collected heap; the raw one with its young generation resident.
  const retainedBefore = await retainedMemory(gateway.child.pid!, contender.inspectPort, {
    inService: true,
  });
  const receipts = new Receipts();
  const { latencies } = receipts;
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < size; i += 200) {
    const batch = Math.min(200, size - i);
    subscribers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () =>
          subscribe(transport, gateway.url, token, createChannel.id, receipts),
        ),
      )),
    );
  }
  await new Promise((r) => setTimeout(r, 2000)); // every subscription live upstream
  const rssSubscribed = gateway.memory().rss;
  const post = async (count: number) => {
    for (let sent = 0; sent < count; sent++) {
      await mutate(
        gateway.url,
        'postMessage',
        'mutation ($i: PostMessageInput!) { postMessage(input: $i) { id } }',
        { i: { channelId: createChannel.id, body: `sent ${Date.now()} #${sent}` } },
        token,
      );
      await new Promise((r) => setTimeout(r, 1000 / RATE_PER_SECOND));
    }
  };
  const delivered = async (count: number) => {
    const deadline = Date.now() + 30_000;
    while (subscribers.some((s) => s.received < count) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
  };
  // Sampling starts before the warm-up: perf's start-up slowed the next message's fan-out by up
  // to 140 ms.
  const sampling = sampleCore(GATEWAY_CORE);
  await post(WARMUP_EVENTS);
  await delivered(WARMUP_EVENTS);
  receipts.clear();
  const cpuBefore = gateway.cpuMs();
  const subscribersCpuBefore = process.cpuUsage();
  const from = uptimeMicros();
  const total = RATE_PER_SECOND * DURATION_SECONDS;
  await post(total);
  await delivered(WARMUP_EVENTS + total);
  const cpuPerEvent = (gateway.cpuMs() - cpuBefore) / total;
  const receiving = await sampling.stop(gateway.child.pid!);
  // What receiving costs this process (the subscribers, the posting), beside the gateway's.
  const subscribersCpu = process.cpuUsage(subscribersCpuBefore);
  const subscribersCpuPerEvent = (subscribersCpu.user + subscribersCpu.system) / 1000 / total;
  contender.windows.push({ from, to: uptimeMicros(), requests: total });
  const lost = subscribers.reduce((sum, s) => sum + (WARMUP_EVENTS + total - s.received), 0);
  // Collected only now: forced collections hand the young generation's pages back to the
  // system, and the next fan-outs fault them in again, which made the first messages measured
  // up to 150 ms slower than the rest when they ran before the posting.
  const retainedSubscribed = await retainedMemory(gateway.child.pid!, contender.inspectPort);
  latencies.sort((a, b) => a - b);
  const { toFirst, firstToLast } = receipts.perEvent();
  const perSubscriber = (rssSubscribed - retainedBefore.rssInService!) / size;
  const retainedPerSubscriber = (retainedSubscribed.rss - retainedBefore.rss) / size;
  for (const s of subscribers) s.close();
  await new Promise((r) => setTimeout(r, 3000));
  return `| ${contender.name} | ${transport} | ${size.toLocaleString('en')} | ${total} | ${(total * size).toLocaleString('en')} | ${percentile(latencies, 50)} | ${percentile(latencies, 99)} | ${percentile(latencies, 100)} | ${percentile(toFirst, 50)} | ${percentile(firstToLast, 50)} / ${percentile(firstToLast, 100)} | ${lost} | ${(perSubscriber / 1024).toFixed(1)} KiB | ${(retainedPerSubscriber / 1024).toFixed(1)} KiB | ${cpuPerEvent.toFixed(0)} ms | ${receiving === null ? 'n/a' : percent(receiving)} | ${subscribersCpuPerEvent.toFixed(0)} ms |`;
}

async function main(): Promise<void> {
  // The subgraphs run as processes of their own, as in production: in this process they would
  // share one thread with the subscribers' sockets, and every event would wait for it.
  const steering = leaveCoreToGateway(GATEWAY_CORE);
  const database = await createTestDatabase();
  const shared = benchSharedConfig({ databaseUrl: database.url, logLevel: 'silent' });
  const subgraphs = await startSubgraphProcesses({
    root: ROOT,
    shared,
    names: ['users', 'messages'],
    env: UNLIMITED_SUBGRAPH_ENV,
  });
  const stack = { shared, subgraphUrls: subgraphs.urls };
  const gatewayEnv = { ...MANY_SUBSCRIBERS_GATEWAY_ENV, SUBSCRIPTION_BUFFER_LIMIT: '100000' };
  const baseline = process.env.BENCH_BASELINE ? buildBaseline(process.env.BENCH_BASELINE) : null;
  const builds = [
    { name: 'opsgraph', root: ROOT },
    ...(baseline
      ? [{ name: `opsgraph @ ${baseline.commit.slice(0, 7)}`, root: baseline.root }]
      : []),
  ];
  const contenders: Contender[] = [];
  for (const build of builds) {
    const profileDir = join(ROOT, '.bench-profiles', 'subscriptions', build.name);
    const inspectPort = await freePort();
    const gateway = await startGatewayProcess(stack, gatewayEnv, {
      core: GATEWAY_CORE,
      entry: join(build.root, 'dist', 'gateway', 'main.js'),
      nodeArgs: [
        `--inspect-port=${inspectPort}`,
        ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ],
    });
    contenders.push({ name: build.name, gateway, profileDir, windows: [], inspectPort });
  }
  const rows: string[] = [];
  try {
    const signUp = await mutate(
      contenders[0]!.gateway.url,
      'signUp',
      'mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      {
        i: {
          organizationName: 'Bench',
          username: `bench${Date.now()}`,
          email: `bench${Date.now()}@example.com`,
          password: 'benchmark password',
        },
      },
    );
    // Contenders take turns at each size, so a drift in the machine's speed hits both alike.
    for (const size of SIZES) {
      for (const transport of TRANSPORTS) {
        for (const contender of contenders) {
          rows.push(await measure(contender, transport, signUp.accessToken, size));
          console.log(rows.at(-1));
        }
      }
    }
  } finally {
    await Promise.all(contenders.map(({ gateway }) => gateway.stop()));
    if (PROFILE) {
      for (const { profileDir, windows } of contenders)
        writeFileSync(join(profileDir, WINDOWS_FILE), JSON.stringify(windows));
    }
    await baseline?.remove();
    await subgraphs.stop();
    await database.drop();
  }
  const table = [
    "| gateway | transport | subscribers | messages | deliveries | p50 ms | p99 ms | max ms | to the first subscriber, median ms | first to last subscriber, median / max ms | lost | gateway RSS per subscriber | the same after a full collection | gateway CPU per event | of it in loopback's receiving side | subscribers' process CPU per event |",
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(table);
  record(
    'Subscriptions: one channel fanned out by one gateway',
    `Method: the built gateway (with its manifest's node flags) as one process pinned to core 0 (\`taskset -c 0\`), the users and messages subgraphs as their own processes (built JavaScript, NODE_ENV=production), PostgreSQL and Redis on the same machine; subscribers live in the benchmark process, which with the subgraphs it starts is kept off core 0, one connection each: graphql-ws on bare TCP sockets (frames read as bytes, the time taken once per read), or raw HTTP responses streamed as GraphQL over SSE or Apollo's multipart protocol (parsed as they arrive), all subscribed to \`messageAdded\` of one channel selecting \`body author { username }\` (so every event needs a users-subgraph fetch — once per event, thanks to deduplication). ${RATE_PER_SECOND} messages per second, ${WARMUP_EVENTS} to warm up (delivered, then neither timed nor counted in the CPU; lost events count them too), then ${DURATION_SECONDS} s measured, each message carrying its send time; latency = receipt − send on the same clock, and per message the time from its send to its first receipt (the way through the messages subgraph, Redis and the gateway's users-subgraph fetch) and from its first receipt to its last (the fan-out), median and largest over the messages. Memory = growth of the gateway's RSS, per subscriber, from before subscribing — right after two full collections forced through its inspector (SIGUSR1, then the DevTools protocol) and a burst of short-lived garbage that makes the young generation's pages resident again (the forced collections hand them back to the system, which a gateway in service does not: 64 MiB, 3.4 KiB per subscriber at 19,000) — to 2 s after subscribing; and between right after the two collections before subscribing and right after two more once the measured messages are delivered, which leaves out the garbage the subscribing and the delivering made (those two collections wait until then because they hand the young generation back to the system too, and the fan-outs right after them, which fault it in again, were up to 150 ms slower). CPU per event = the gateway process's CPU time while posting and delivering, per message; the subscribers' = this process's (receiving, and posting). ${kernelSplitMethod('the gateway', GATEWAY_CORE)} The sampling starts before the warm-up (its share covers the warm-up's messages too), as its start-up slowed the next message's fan-out by up to 140 ms.${steering} With BENCH_BASELINE=<ref>, that commit's gateway takes turns with this one at each size.\n\nMachine: ${machine()}.\n\n${table}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
