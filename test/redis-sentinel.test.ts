/**
 * The system on a Sentinel-managed Redis of its own (a primary, a replica, three sentinels),
 * configured only by `REDIS_URL=redis+sentinel://…/opsgraph`: the primary is killed while
 * messageAdded subscribers on both gateways follow a channel and a poster keeps posting (each
 * message retried with its clientMessageId until acknowledged, as the fault suite's poster does).
 * The sentinels promote the replica; the services follow it; every acknowledged post is stored
 * once and every subscriber, resuming by cursor whenever its stream ends, receives every stored
 * message exactly once, in order. Revocations keep working on the new primary.
 */
import { Client } from 'pg';
import { postMessages, setUpChat, storageProblems, storedMessages } from './faults/chat';
import { checkDelivery } from './faults/check';
import type { ResumingSubscriber } from './faults/clients';
import { sleep, until } from './faults/infra';
import { Random } from './faults/schedule';
import { errorCodes, graphql } from './support/graphql';
import { startRedisSentinel, type PrivateRedisSentinel } from './support/redis-topologies';
import { signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

const MESSAGES = 80;
const SUBSCRIBERS = 8;

let sentinel: PrivateRedisSentinel;
let stack: Stack;
let subscribers: ResumingSubscriber[] = [];

beforeAll(async () => {
  sentinel = await startRedisSentinel();
  stack = await startStack({
    redisUrl: sentinel.url,
    subgraphs: ['users', 'messages'],
    gateways: 2,
  });
});
afterAll(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  await stack?.stop();
  await sentinel?.stop();
});

async function query<T extends Record<string, unknown>>(sql: string, params: unknown[]) {
  const client = new Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

it('loses and repeats nothing across a primary failover during live subscriptions', async () => {
  const urls = stack.gateways.map((gateway) => gateway.url);
  const seed = Math.floor(Math.random() * 2 ** 31);
  const random = new Random(seed);
  const admin = await signUp(urls[0]!);
  const chat = await setUpChat(urls, admin, SUBSCRIBERS, random.fork());
  subscribers = chat.subscribers;
  for (const subscriber of subscribers) subscriber.start();

  const signal = new AbortController().signal;
  const posting = postMessages(urls, admin, chat.channelId, {
    count: MESSAGES,
    intervalMs: 100,
    seed,
    signal,
  });
  await sleep(2_000); // a part of the messages before the failover, the rest during and after it
  const killedPort = await sentinel.killPrimary();
  expect(await sentinel.primaryPort()).not.toBe(killedPort);
  const poster = await posting;
  // What the failover cost the clients, for whoever reads the log (not asserted).
  const troubles = subscribers.flatMap((subscriber) => [...subscriber.troubles.keys()]);
  process.stdout.write(
    `failover: ${poster.retries} post retries; stream ends: ${[...new Set(troubles)].join(', ') || 'none'}\n`,
  );

  const stored = await storedMessages({ query }, chat.channelId);
  expect(storageProblems(stored, poster.acknowledged)).toEqual([]);
  const sequenceOf = new Map(stored.map((row) => [row.id, row.sequence]));
  const expectedOf = (name: string) => {
    const from = sequenceOf.get(chat.startOf.get(name)!)!;
    return stored.filter((row) => row.sequence > from).map((row) => row.id);
  };
  const deliveries = (asReceived = new Map<string, string>()) =>
    subscribers.map((s) => checkDelivery(s.name, expectedOf(s.name), s.received, asReceived));
  await until(async () => deliveries().every((d) => d.lost.length === 0), 60_000, 'backlogs').catch(
    () => undefined, // the check below names what is missing
  );
  await sleep(1_000); // late duplicates would show too
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  for (const delivery of deliveries()) {
    expect(delivery).toMatchObject({
      lost: [],
      duplicated: 0,
      outOfOrder: 0,
      unexpected: [],
      differing: [],
    });
    expect(delivery.expected).toBeGreaterThanOrEqual(MESSAGES);
  }
});

it('refuses a token revoked after the failover, on both gateways', async () => {
  const session = await signUp(stack.gatewayUrl);
  const out = await graphql(stack.gateways[0]!.url, 'mutation { logout }', {}, session.headers);
  expect(out.data).toEqual({ logout: true });
  for (const { url } of [...stack.gateways].reverse()) {
    let last = '';
    const refused = await until(
      async () => {
        const me = await graphql(url, '{ me { id } }', {}, session.headers);
        last = `${me.status} ${JSON.stringify(me.errors ?? me.data)}`;
        return me.status === 401;
      },
      10_000,
      'the revocation',
    ).catch(() => false);
    expect([url, refused === false ? last : 'refused']).toEqual([url, 'refused']);
    expect(errorCodes(await graphql(url, '{ me { id } }', {}, session.headers))).toEqual([
      'UNAUTHENTICATED',
    ]);
  }
});
