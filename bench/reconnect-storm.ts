/**
 * `npm run bench -- reconnect-storm`: 1,000 graphql-ws subscribers follow `messageAdded` in 10
 * channels of one organization through one gateway process; the gateway stops, 100 messages are posted in each channel
 * meanwhile (straight to the messages subgraph), a new gateway starts, and every subscriber
 * reconnects at once with the cursor of the last message it received. Measures the time from the
 * reconnections until every backlog is delivered, and the messages lost and duplicated.
 *
 * Subscribers are BENCH_STORM_USERS distinct users (10 by default; subscriber i is user i mod
 * users in channel i mod 10): those with the same user and channel resume with the same cursor,
 * as a user's tabs do, and share one upstream subscription.
 */
import WebSocket from 'ws';
import { createChannel, join } from '../test/support/messages';
import { addUser, signUp } from '../test/support/seed';
import { RELAXED_RATE_LIMITS } from '../test/support/stack';
import {
  machine,
  MANY_SUBSCRIBERS_GATEWAY_ENV,
  mutate,
  record,
  startGatewayProcess,
  startSubgraphs,
  UNLIMITED_POSTING,
} from './support';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const CHANNELS = 10;
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 100);
const USERS = Number(process.env.BENCH_STORM_USERS ?? 10);

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

async function main(): Promise<void> {
  const stack = await startSubgraphs(['users', 'messages'], {
    users: { rateLimits: RELAXED_RATE_LIMITS },
    messages: UNLIMITED_POSTING,
  });
  const env = MANY_SUBSCRIBERS_GATEWAY_ENV;
  let gateway = await startGatewayProcess(stack, env, { core: 0 });
  const messagesUrl = stack.subgraphUrls.messages!;
  try {
    // One organization: its admin creates the channels and the other users, who join the
    // channels their subscribers follow (subscriber i: user i mod USERS, channel i mod CHANNELS).
    const admin = await signUp(gateway.url);
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
      const channel = await createChannel(gateway.url, admin);
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
          const signedIn = await addUser(gateway.url, admin, 'DEVELOPER');
          for (const c of channelsOf(user)) await join(gateway.url, signedIn, channels[c]!);
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
        subscribers.slice(i, i + 200).map((s) => connect(gateway.url, s, channelOf(s))),
      );

    // The gateway goes away; the backlog piles up meanwhile.
    await gateway.stop();
    for (const s of subscribers) s.socket?.terminate();
    const expected = new Map<string, string[]>();
    for (const channelId of channels) {
      const posted: string[] = [];
      for (let n = 0; n < BACKLOG; n++)
        posted.push((await post(admin.accessToken, channelId, `backlog ${n}`)).id);
      expected.set(channelId, posted);
    }
    gateway = await startGatewayProcess(stack, env, { core: 0 });
    const cpuBefore = gateway.cpuMs();
    const started = performance.now();
    await Promise.all(subscribers.map((s) => connect(gateway.url, s, channelOf(s))));
    const connectedMs = performance.now() - started;
    const deadline = Date.now() + 120_000;
    while (subscribers.some((s) => s.received.length < BACKLOG) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const deliveredMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000)); // late duplicates would show by now
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const s of subscribers) {
      const want = expected.get(channelOf(s))!;
      const got = new Set(s.received);
      lost += want.filter((id) => !got.has(id)).length;
      duplicated += s.received.length - got.size;
      if (s.received.join() !== want.join() && got.size === want.length) outOfOrder += 1;
    }
    const row = `| ${SUBSCRIBERS.toLocaleString('en')} | ${BACKLOG} | ${USERS} × ${CHANNELS} | ${(connectedMs / 1000).toFixed(1)} | ${(deliveredMs / 1000).toFixed(1)} | ${lost} | ${duplicated} | ${outOfOrder} | ${(gateway.cpuMs() - cpuBefore).toFixed(0)} |`;
    const table = [
      '| subscribers | backlog each | users × channels | all reconnected (s) | every backlog delivered (s) | lost | duplicated | out of order | gateway CPU ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row,
    ].join('\n');
    console.log(table);
    for (const s of subscribers) s.socket?.terminate();
    record(
      'Reconnect storm: every subscriber resumes 100 messages behind after a gateway restart',
      `Method: the built gateway as one process pinned to core 0, the users and messages subgraphs, PostgreSQL and Redis on the same machine. ${SUBSCRIBERS} raw graphql-ws subscribers (one socket each) follow \`messageAdded\` selecting \`author { username displayName }\` (an entity fetch to the users subgraph per event) in ${CHANNELS} channels of one organization, as ${USERS} distinct users (subscriber i is user i mod ${USERS} in channel i mod ${CHANNELS}; subscribers with the same user and channel resume with the same cursor and share one upstream subscription); the gateway stops, ${BACKLOG} messages are posted in every channel, a new gateway process starts and every subscriber reconnects at once with the cursor it last received. Time from the first reconnection until every subscriber has its ${BACKLOG} messages; then lost, duplicated and out-of-order counts against the stored messages.\n\nMachine: ${machine()}; shared with other developers' work while it ran (noisy).\n\n${table}`,
    );
  } finally {
    await gateway.stop();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
