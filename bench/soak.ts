/**
 * `npm run bench -- soak`: the whole system as production runs it (four subgraph processes and a
 * gateway process, built JavaScript, NODE_ENV=production) under mixed load for
 * BENCH_SOAK_MINUTES (30): BENCH_SUBSCRIBERS (5,000) resuming `messageAdded` subscribers in 10
 * channels, each losing its socket at random (on average every BENCH_DROP_SECONDS, 120) and
 * resuming from its last cursor as the client recipe says; a poster per channel; and HTTP
 * clients reading `me`, chat pages and the dashboard. Reports errors, every subscriber's
 * deliveries against what was acknowledged (lost, duplicated, out of order), and the RSS of every
 * process after the warm-up (BENCH_SOAK_WARMUP_MINUTES, 5) and at the end.
 */
import { print } from 'graphql';
import { checkDelivery, problems, receivedPerStream, totals } from '../test/faults/check';
import { ResumingSubscriber, untilAcknowledged, type StreamSpec } from '../test/faults/clients';
import { sleep } from '../test/faults/infra';
import { Random } from '../test/faults/schedule';
import { freePort } from '../test/support/processes';
import { createTestDatabase } from '../test/support/database';
import { graphql, type GraphQLResponse } from '../test/support/graphql';
import { ChannelMessagesDocument } from '../test/__generated__/graphql';
import { createDeployment } from '../test/support/deployments';
import { createChannel, join, post } from '../test/support/messages';
import { registerNode } from '../test/support/nodes';
import { addUser, signUp, type SignedIn } from '../test/support/seed';
import {
  benchSharedConfig,
  exampleOperation,
  machine,
  memoryOf,
  record,
  retainedMemory,
  startSystemProcesses,
} from './support';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const WARMUP_MINUTES = Number(process.env.BENCH_SOAK_WARMUP_MINUTES ?? 5);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 5000);
const DROP_SECONDS = Number(process.env.BENCH_DROP_SECONDS ?? 120);
const CHANNELS = 10;
/** Per channel: one message every 5 s, within the per-user postMessage limit (60/min). */
const POST_INTERVAL_MS = 5_000;
/** HTTP readers, each sending a request every 100 ms: about 40 requests per second. */
const READERS = 4;
/** What the dashboard reads: deployments spread over nodes, so that every subgraph serves. */
const NODES = 10;
const DEPLOYMENTS = 50;
const SEED = Number(process.env.BENCH_SEED ?? Date.now() % 1_000_000);
const SAMPLE_SECONDS = 10;

const MESSAGE_ADDED = `subscription ($channelId: ID!, $after: String) {
  messageAdded(channelId: $channelId, after: $after) { id cursor body author { username } }
}`;
const POST = `mutation ($input: PostMessageInput!) { postMessage(input: $input) { id } }`;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  console.log(`Soak: seed ${SEED}, ${MINUTES} min, ${SUBSCRIBERS} subscribers`);
  const random = new Random(SEED);
  const database = await createTestDatabase();
  // Every process's inspector opens on this port when retainedMemory asks, one at a time.
  const inspectPort = `--inspect-port=${await freePort()}`;
  const system = await startSystemProcesses({
    shared: benchSharedConfig({ databaseUrl: database.url, logLevel: 'warn' }),
    // Tokens outlive the run: token refresh is not what this soaks.
    subgraphEnv: { ACCESS_TOKEN_TTL_SECONDS: String((MINUTES + 30) * 60) },
    subgraphNodeArgs: [inspectPort],
    gatewayEnv: { CONNECTIONS_PER_CREDENTIAL: '100000', REQUEST_RATE_LIMIT: '100000000/1m' },
    gateway: { nodeArgs: [inspectPort] },
  });
  const { gateway, subgraphs } = system;
  const url = gateway.url;
  const processes = [
    { name: 'gateway', pid: gateway.child.pid! },
    ...Object.keys(subgraphs.urls).map((name, i) => ({ name, pid: subgraphs.pids[i]! })),
  ];
  const abort = new AbortController();
  try {
    const admin = await signUp(url);
    const posters: SignedIn[] = [];
    const channels: { id: string; start: string; startCursor: string; acked: string[] }[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      const channel = await createChannel(url, admin);
      const poster = await addUser(url, admin, 'DEVELOPER');
      await join(url, poster, channel.id);
      const start = await post(url, admin, channel.id, `start ${c}`);
      posters.push(poster);
      channels.push({ id: channel.id, start: start.id, startCursor: start.cursor, acked: [] });
    }

    const nodes: { id: string }[] = [];
    for (let n = 0; n < NODES; n++) nodes.push((await registerNode(url, admin)).node);
    // Two users trigger them, each within the per-user createDeployment limit (30 a minute).
    const triggerers = [admin, await addUser(url, admin, 'OPERATOR')];
    for (let d = 0; d < DEPLOYMENTS; d++)
      await createDeployment(url, triggerers[d % 2]!.headers, { nodeId: nodes[d % NODES]!.id });
    const dashboard = print(exampleOperation('Dashboard'));

    const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => {
      const channel = channels[i % CHANNELS]!;
      const spec: StreamSpec = {
        query: MESSAGE_ADDED,
        variables: (after) => ({ channelId: channel.id, after }),
        keyOf: (data) => String(data.messageAdded.id),
        cursorOf: (data) => String(data.messageAdded.cursor),
      };
      const token = i % 3 === 0 ? admin.accessToken : posters[i % CHANNELS]!.accessToken;
      return {
        channel,
        subscriber: new ResumingSubscriber(
          `soak-${i}`,
          [url],
          token,
          spec,
          channel.startCursor,
          random.fork(),
        ),
      };
    });
    for (let i = 0; i < subscribers.length; i += 250) {
      for (const { subscriber } of subscribers.slice(i, i + 250)) subscriber.start();
      await sleep(250);
    }

    const errors = new Map<string, number>();
    const count = (what: string, n = 1) => errors.set(what, (errors.get(what) ?? 0) + n);
    let requests = 0;

    const posting = channels.map(async (channel, c) => {
      for (let n = 0; !abort.signal.aborted; n++) {
        // Retries carry the same clientMessageId, so the message is stored once. An attempt
        // answered with errors is counted by its code; any other retry, by its transport failure.
        let answeredWithErrors = 0;
        const result = await untilAcknowledged(
          [url],
          POST,
          {
            input: {
              channelId: channel.id,
              body: `soak ${n}`,
              clientMessageId: `${SEED}-${c}-${n}`,
            },
          },
          posters[c]!.accessToken,
          {
            accept: (answer) => {
              const error = answer.errors?.[0];
              if (!error) return !!answer.data;
              answeredWithErrors += 1;
              count(`postMessage ${String(error.extensions?.code ?? error.message)}`);
              return false;
            },
          },
        );
        requests += result.attempts;
        const failedRequests = result.attempts - 1 - answeredWithErrors;
        if (failedRequests > 0)
          count('postMessage request failed (timeout or connection)', failedRequests);
        channel.acked.push(String(result.data!.postMessage.id));
        await sleep(POST_INTERVAL_MS);
      }
    });

    const reading = Array.from({ length: READERS }, async (_, r) => {
      for (let n = 0; !abort.signal.aborted; n++) {
        const channelId = channels[(n + r) % CHANNELS]!.id;
        const read = [
          () => graphql(url, '{ me { id username organization { id } } }', {}, admin.headers),
          () => graphql(url, ChannelMessagesDocument, { id: channelId, last: 50 }, admin.headers),
          () => graphql(url, dashboard, {}, admin.headers),
        ][n % 3]!();
        const response = await read.catch((error: unknown): GraphQLResponse => ({
          status: 0,
          errors: [{ message: String(error) }],
        }));
        requests += 1;
        const error = response.errors?.[0];
        if (response.status !== 200 || error)
          count(`read ${String(error?.extensions?.code ?? error?.message ?? response.status)}`);
        await sleep(100);
      }
    });

    // Each second, a share of the sockets is cut from the client's side.
    const dropping = (async () => {
      while (!abort.signal.aborted) {
        await sleep(1_000);
        for (const { subscriber } of subscribers)
          if (random.next() < 1 / DROP_SECONDS) subscriber.drop();
      }
    })();

    /** Every process's RSS every SAMPLE_SECONDS: the collector's schedule swings it by up to 30 %. */
    const samples: { second: number; rss: number[] }[] = [];
    /** What each process retains, after the warm-up and at the end (see retainedMemory). */
    const retained: Awaited<ReturnType<typeof retainedMemory>>[][] = [];
    const measureRetained = async () => {
      const port = Number(inspectPort.split('=')[1]);
      const each: (typeof retained)[number] = [];
      for (const { pid } of processes) each.push(await retainedMemory(pid, port));
      retained.push(each);
      console.log(
        `retained: ${processes.map((p, i) => `${p.name} heap ${mib(each[i]!.heapUsed)} MiB, RSS ${mib(each[i]!.rss)} MiB`).join('; ')}`,
      );
    };
    const began = Date.now();
    for (let second = 0; second <= MINUTES * 60; second += SAMPLE_SECONDS) {
      if (second > 0) await sleep(SAMPLE_SECONDS * 1_000);
      samples.push({ second, rss: processes.map((p) => memoryOf(p.pid)) });
      if (second % 60 !== 0) continue;
      const minute = second / 60;
      console.log(
        `minute ${minute}: ${processes.map((p, i) => `${p.name} ${mib(samples.at(-1)!.rss[i]!)} MiB`).join(', ')}; ${requests} requests, ${[...errors.values()].reduce((a, b) => a + b, 0)} errors`,
      );
      // After the warm-up's last sample and after the run's: collections forced in between
      // would change the RSS samples the medians below compare.
      if (minute === WARMUP_MINUTES + 2 || minute === MINUTES) await measureRetained();
    }
    abort.abort();
    await Promise.all([...posting, ...reading, dropping]);
    const elapsedMinutes = (Date.now() - began) / 60_000;

    // Every subscriber catches up with the last acknowledged message, or the check says what it lacks.
    const caughtUp = () =>
      subscribers.every(({ channel, subscriber }) =>
        subscriber.received.some((item) => item.key === channel.acked.at(-1)),
      );
    for (let waited = 0; !caughtUp() && waited < 60_000; waited += 500) await sleep(500);
    await Promise.all(subscribers.map(({ subscriber }) => subscriber.stop()));
    // Each channel's subscribers must also have received each message alike.
    const asReceived = receivedPerStream<unknown>();
    const deliveries = subscribers.map(({ channel, subscriber }) =>
      checkDelivery(subscriber.name, channel.acked, subscriber.received, asReceived(channel)),
    );
    const delivery = totals(deliveries);
    for (const line of problems(deliveries).slice(0, 10)) console.log(line);
    const reconnections = subscribers.reduce((n, { subscriber }) => n + subscriber.connections, 0);

    // Medians over two minutes of samples, so no one collection more or less decides.
    const median = (rows: number[][], i: number) =>
      rows.map((rss) => rss[i]!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
    const rssRows = (fromMinute: number, toMinute: number) =>
      samples
        .filter((s) => s.second >= fromMinute * 60 && s.second <= toMinute * 60)
        .map((s) => s.rss);
    const warm = rssRows(WARMUP_MINUTES, WARMUP_MINUTES + 2);
    const end = rssRows(MINUTES - 2, MINUTES);
    const change = (before: number, after: number) =>
      `${mib(before)} | ${mib(after)} | ${(((after - before) / before) * 100).toFixed(1)} %`;
    const growth = processes.map((p, i) => {
      const [warmRetained, endRetained] = [retained[0]![i]!, retained.at(-1)![i]!];
      return `| ${p.name} | ${change(median(warm, i), median(end, i))} | ${change(warmRetained.heapUsed, endRetained.heapUsed)} | ${change(warmRetained.rss, endRetained.rss)} | ${mib(warmRetained.youngGeneration)} → ${mib(endRetained.youngGeneration)} |`;
    });
    const errorList = [...errors].map(([what, n]) => `${what} × ${n}`).join(', ') || 'none';
    const summary = [
      `Seed ${SEED}; ${elapsedMinutes.toFixed(1)} minutes; ${requests.toLocaleString('en')} HTTP requests, errors: ${errorList}.`,
      `Subscribers: ${delivery.subscribers} (${reconnections.toLocaleString('en')} connections in all, i.e. ${(reconnections - SUBSCRIBERS).toLocaleString('en')} resumptions); messages acknowledged per channel: ${delivery.expectedPerSubscriber}; lost ${delivery.lost}, duplicated ${delivery.duplicated}, out of order ${delivery.outOfOrder}, unexpected ${delivery.unexpected}, differing from what the channel's other subscribers received ${delivery.differing}.`,
      '',
      `| process | RSS after the ${WARMUP_MINUTES}-minute warm-up (MiB) | RSS at the end (MiB) | growth | heap after a full collection, warm-up (MiB) | the same at the end (MiB) | growth | RSS after a full collection, warm-up (MiB) | the same at the end (MiB) | growth | V8 new space, warm-up → end (MiB) |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...growth,
    ].join('\n');
    console.log(summary);
    record(
      `Soak: ${MINUTES} minutes of mixed load with ${SUBSCRIBERS.toLocaleString('en')} resuming subscribers`,
      `Method: \`npm run bench -- soak\`: the four subgraphs and the gateway as production runs them (own processes, built JavaScript, NODE_ENV=production), PostgreSQL and Redis on the same machine. ${SUBSCRIBERS.toLocaleString('en')} graphql-ws subscribers (the fault suite's resuming clients) follow \`messageAdded\` with \`author { username }\` in ${CHANNELS} channels from a stored start message; each second every socket is cut with probability 1/${DROP_SECONDS} and the client resumes from its last cursor. A poster per channel sends a message every ${POST_INTERVAL_MS / 1000} s (retried with its clientMessageId until acknowledged); ${READERS} HTTP readers take turns between \`me\`, a 50-message chat page and the dashboard (examples/operations: ${DEPLOYMENTS} deployments over ${NODES} nodes, 50 to a page with node, triggeredBy and last 3 events), a request every 100 ms each. Deliveries are checked against the acknowledged messages; RSS is sampled every ${SAMPLE_SECONDS} s; the table compares the median of the samples from minute ${WARMUP_MINUTES} to minute ${WARMUP_MINUTES + 2} with that of the last two minutes' samples. What each process retains is measured after minute ${WARMUP_MINUTES + 2} and at the end: two full collections forced through its inspector (SIGUSR1, then the DevTools protocol), then its JavaScript heap and its RSS (and, read before the collections, the size V8 reports for its new space, the young generation, which it grows with the allocation rate); a sampled RSS also holds the garbage not yet collected, which comes and goes with the collector's schedule. The gateway runs with its Kubernetes manifest's node flags, as the subgraphs do.\n\nMachine: ${machine()}.\n\n${summary}`,
    );
  } finally {
    abort.abort();
    await system.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
