/**
 * `npm run bench -- reconnect-storm`: 1,000 graphql-ws subscribers follow `messageAdded` in 10
 * channels through one gateway process; the gateway stops, 100 messages are posted in each channel
 * meanwhile (straight to the messages subgraph), a new gateway starts, and every subscriber
 * reconnects at once with the cursor of the last message it received. Measures the time from the
 * reconnections until every backlog is delivered, and the messages lost and duplicated.
 *
 * Subscribers use BENCH_STORM_USERS distinct tokens (10 by default): those with the same token and
 * channel resume with the same cursor, as a user's tabs do, and share one upstream subscription.
 */
import WebSocket from 'ws';
import { machine, mutate, record, startGatewayProcess, startSubgraphs } from './support';

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
    users: { rateLimits: { signUp: { max: 1_000_000, windowMs: 60_000 } } },
    messages: {
      floodMaxRepeats: 1_000_000,
      rateLimits: { postMessage: { max: 1_000_000, windowMs: 60_000 } },
    },
  });
  const env = {
    SUBSCRIPTIONS_PER_CONNECTION: '10',
    CONNECTIONS_PER_CREDENTIAL: '100000',
    REQUEST_RATE_LIMIT: '1000000/1m',
  };
  let gateway = await startGatewayProcess(stack, env, { core: 0 });
  const messagesUrl = stack.subgraphUrls.messages!;
  try {
    const tokens: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const name = `storm${Date.now()}x${i}`;
      const signUp = await mutate(
        gateway.url,
        'signUp',
        'mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
        {
          i: {
            organizationName: i === 0 ? 'Storm' : `Storm ${i}`,
            username: name,
            email: `${name}@example.com`,
            password: 'benchmark password',
          },
        },
      );
      tokens.push(signUp.accessToken);
    }
    // Each user has its own organization: each gets its own channels.
    const channels: string[][] = [];
    const post = (token: string, channelId: string, body: string) =>
      mutate(
        messagesUrl,
        'postMessage',
        'mutation ($i: PostMessageInput!) { postMessage(input: $i) { id cursor } }',
        { i: { channelId, body } },
        token,
      );
    const starts: string[][] = [];
    for (const token of tokens) {
      const ids: string[] = [];
      const cursors: string[] = [];
      for (let c = 0; c < CHANNELS; c++) {
        const channel = await mutate(
          gateway.url,
          'createChannel',
          'mutation ($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
          { i: { name: `storm-${c}-${Date.now()}`, kind: 'PUBLIC' } },
          token,
        );
        ids.push(channel.id);
        cursors.push((await post(token, channel.id, 'caught up here')).cursor);
      }
      channels.push(ids);
      starts.push(cursors);
    }
    const subscribers: Subscriber[] = Array.from({ length: SUBSCRIBERS }, (_, i) => {
      const user = i % USERS;
      const channel = Math.floor(i / USERS) % CHANNELS;
      return { token: tokens[user]!, channel, after: starts[user]![channel]!, received: [] };
    });
    const channelOf = (s: Subscriber) => channels[tokens.indexOf(s.token)]![s.channel]!;
    for (let i = 0; i < subscribers.length; i += 200)
      await Promise.all(
        subscribers.slice(i, i + 200).map((s) => connect(gateway.url, s, channelOf(s))),
      );

    // The gateway goes away; the backlog piles up meanwhile.
    await gateway.stop();
    for (const s of subscribers) s.socket?.terminate();
    const expected = new Map<string, string[]>();
    for (const [user, token] of tokens.entries()) {
      for (const channelId of channels[user]!) {
        const posted: string[] = [];
        for (let n = 0; n < BACKLOG; n++)
          posted.push((await post(token, channelId, `backlog ${n}`)).id);
        expected.set(channelId, posted);
      }
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
      `Method: the built gateway as one process pinned to core 0, the users and messages subgraphs, PostgreSQL and Redis on the same machine. ${SUBSCRIBERS} raw graphql-ws subscribers (one socket each) follow \`messageAdded\` selecting \`author { username displayName }\` (an entity fetch to the users subgraph per event) in ${CHANNELS} channels of each of ${USERS} users (subscriber i uses user i mod ${USERS}); the gateway stops, ${BACKLOG} messages are posted in every channel, a new gateway process starts and every subscriber reconnects at once with the cursor it last received. Time from the first reconnection until every subscriber has its ${BACKLOG} messages; then lost, duplicated and out-of-order counts against the stored messages.\n\nMachine: ${machine()}; shared with other developers' work while it ran (noisy).\n\n${table}`,
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
